/** A worker thread of `qed-bench sweep`: runs the grid cells it is handed, one at a time (see sweep.ts). */
import { serveTasks } from '../util/worker-pool.js';
import { runCell, sweepWorkload, type SweepCell, type SweepRun, type SweepSpec } from './sweep.js';

serveTasks<SweepSpec, SweepCell, SweepRun>((spec, report) => (cell) => runCell(sweepWorkload(spec, cell), spec, report));
