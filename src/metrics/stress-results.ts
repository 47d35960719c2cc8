/** The summary `qed-bench stress` prints and writes: per policy, the runs that lost data and how. */

/** What one run found; small enough to post between threads. */
export interface StressRun {
  seed: number;
  policy: string;
  /** 'error': the run threw (a bug, or a workload that cannot run); `error` says what. */
  verdict: 'passed' | 'failed' | 'error';
  requests: number;
  lostWrites: number;
  staleReads: number;
  corruptSectors: number;
  unexpectedData: number;
  corruptions: number;
  leaks: number;
  peakOverCapacity: number;
  evictionsInUse: number;
  requestErrors: number;
  firstViolation: string | null;
  error?: string;
}

export interface PolicySummary {
  policy: string;
  /** False for policies that reproduce a known bug (fifo-unsafe). */
  safe: boolean;
  runs: number;
  /** Runs whose integrity verdict was failed, or that threw. */
  failedRuns: number;
  /** failedRuns / runs. */
  failureRate: number;
  erroredRuns: number;
  lostWriteSectors: number;
  staleReads: number;
  corruptSectors: number;
  unexpectedData: number;
  corruptions: number;
  /** Runs whose image our check found leaked clusters in (a lost L2 update leaves one). */
  leakyRuns: number;
  maxPeakOverCapacity: number;
  evictionsInUse: number;
  requests: number;
  /** The failing runs with the smallest seeds, at most LISTED_FAILURES (replay/stress.ts). */
  failures: StressRun[];
}

export interface StressReport {
  workload: string;
  file: string;
  set: string[];
  firstSeed: number;
  seeds: number;
  /** Seeds actually run for every policy (less than `seeds` when interrupted). */
  completedRuns: number;
  status: 'completed' | 'interrupted';
  memory: boolean;
  /** The in-memory images kept metadata only (integrity at the mapping level); absent in older reports. */
  metadataOnly?: boolean;
  qemuCheck: boolean;
  jobs: number;
  elapsedMs: number;
  runsPerSecond: number;
  policies: PolicySummary[];
}
