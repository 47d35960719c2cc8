/** The power-cut part of a run's results (`recovery`), written by replay/power-cut-recovery.ts. */
import type { IoEvent } from '../io/backend.js';

/** What a power cut took and what recovery found (results: `recovery`; docs/results.md). */
export interface RecoveryReport {
  /** Workload requests completed (flushes included) and scheduler requests completed at the cut. */
  cutAt: { requests: number; backendRequests: number; event?: IoEvent; afterReplay: boolean };
  writesUndone: number;
  sectorsTorn: number;
  /** The image had need-check set on disk after the cut (so the writable open checked it). */
  needCheck: boolean;
  corruptionsFound: number;
  corruptionsFixed: number;
  leaks: number;
  lostUnflushedWrites: number;
  lostFlushedWrites: number;
  verdict: 'passed' | 'failed';
}
