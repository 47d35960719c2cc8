/** A sweep results file (`qed-bench/sweep@1`): one results object per cache size × policy. */
import type { Environment } from './env.js';
import type { RunResults } from './results.js';

export const SWEEP_SCHEMA = 'qed-bench/sweep@1';

/** What a cache-only sweep (no engine) adds to the trace's name: the sweep table and file name read it. */
export const CACHE_ONLY_SUFFIX = ' (cache only)';

/**
 * One results file for a whole sweep (cache sizes × policies of one workload), or a shard of
 * one, or shards merged. Each run is a complete `qed-bench/results@1` object. See docs/results.md.
 */
export interface SweepResults {
  schema: typeof SWEEP_SCHEMA;
  tool: { name: 'qed-bench'; version: string; gitCommit: string | null };
  environment: Environment;
  sweep: {
    /** The workload's name and file, and the user's --set overrides. */
    workload: string;
    file: string;
    set: string[];
    /** The full grid, whatever this file holds of it. */
    sizes: number[];
    policies: string[];
    /** Which slice of the grid this file holds: null for all; merged files list every shard. */
    shards: Array<{ index: number; count: number }> | null;
    timing: 'deterministic' | 'real';
    jobs: number;
    elapsedMs: number;
    status: 'completed' | 'interrupted';
  };
  /** One per grid cell run, in grid order (sizes outer, policies inner). */
  runs: Array<{ size: number; policy: string; results: RunResults }>;
}
