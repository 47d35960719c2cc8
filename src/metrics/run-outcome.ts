/** What one replay returns (the body of a results file): phases, totals, integrity, recovery, curve. */
import type { MissRatioCurveReport } from '../cache/mrc.js';
import type { CacheMode, IoChoice } from '../io/io-choice.js';
import type { SchedulerStats } from '../io/scheduler.js';
import type { CheckResult } from '../qed/check.js';
import type { IntegrityReport, QemuCheck } from './integrity.js';
import type { PhaseMetrics } from './phase.js';
import type { RecoveryReport } from './recovery.js';
import type { TraceReplaySummary } from '../workload/traces/source.js';

/** wall-clock: real latencies; virtual: the deterministic scheduler's clock. */
export type Timing = 'wall-clock' | 'virtual';

export interface RunOutcome {
  status: 'completed' | 'interrupted';
  startedAt: string;
  finishedAt: string;
  /**
   * io: the file I/O path auto chose (or the one named) and why, and the cache mode; null in memory.
   * store: where the image lived — `file`, `memory` (every byte in memory) or `metadata` (in
   * memory, metadata bytes only: same counters, no byte-level verification). Absent in older results.
   */
  image: { path: string; created: boolean; kept: boolean; fileBytes: number; io: (IoChoice & { cache: CacheMode }) | null; store?: 'file' | 'memory' | 'metadata' };
  phases: PhaseMetrics[];
  total: PhaseMetrics;
  /** wall-clock: real latencies; virtual: the deterministic scheduler's clock. */
  timing: Timing;
  scheduler: SchedulerStats | null;
  integrity: IntegrityReport & { check: CheckResult | null; qemuCheck: QemuCheck | null };
  /** The power cut and the recovery after it (scheduler.power_cut), else null. */
  recovery: RecoveryReport | null;
  /** The miss-ratio curve when RunOptions.missRatioCurve asked for it, else null. */
  mrc: MissRatioCurveReport | null;
  /** Trace jobs: the file (path, bytes, format, sha256), bad lines skipped, requests replayed. */
  traces?: TraceReplaySummary[];
}
