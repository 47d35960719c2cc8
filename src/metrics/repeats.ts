/** The repeated timing samples of `run --repeat N` (results `repeats`), which compare tests statistically. */
import type { RunResults } from './results.js';

/** Per-op timing figures kept for each repeat: `<op>.<metric>`, e.g. `read.p99` (latencies in ns). */
export const TIMING_METRICS = ['iops', 'mbPerSec', 'p50', 'p99'] as const;
export type TimingMetric = (typeof TIMING_METRICS)[number];

export interface Repeats {
  count: number;
  /** `"<op>.<metric>"` → one value per repeat, in run order. */
  samples: Record<string, number[]>;
  /**
   * Counters by compare's metric name (`hitRate`, `cache.loads`, ...) → one value per repeat:
   * under real timing they vary with the interleaving, and compare draws its noise band from them.
   */
  counters?: Record<string, number[]>;
}

/** A results file that may carry repeated timing samples (docs/results.md, `repeats`). */
export type RepeatedResults = RunResults & { repeats?: Repeats };
