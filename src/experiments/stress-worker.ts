/** A worker thread of `qed-bench stress`: runs the seeds it is handed, one at a time (see stress.ts). */
import { serveTasks } from '../util/worker-pool.js';
import type { Workload } from '../workload/types.js';
import { runSeed, stressWorkload, type StressRun, type StressSpec, type StressTask } from './stress.js';

serveTasks<StressSpec, StressTask, StressRun>((spec) => {
  // Each policy's workload parsed once per worker (any seed; runSeed sets it).
  const bases = new Map<string, Workload>();
  return async (t) => {
    let base = bases.get(t.policy);
    if (!base) bases.set(t.policy, (base = stressWorkload(spec, t.policy, t.seed)));
    return runSeed(base, spec, t.seed);
  };
});
