/** The replay's clock: wall-clock time or the deterministic scheduler's virtual time. */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Timing } from '../metrics/run-outcome.js';

/** Time as the replay sees it: real, or the deterministic scheduler's virtual clock. */
export interface ReplayClock {
  readonly kind: Timing;
  /** Nanoseconds since an arbitrary origin. */
  now(): number;
  /** `origin`: who sleeps, for the virtual clock's order of timers due at one time. */
  sleep(us: number, origin?: number): Promise<void>;
  /** Virtual clock only: stop time (no completion, no timer) until `work` settles. */
  hold?(work: Promise<unknown>): void;
}

/**
 * Real time from performance.now() (monotonic, sub-microsecond), in ns: a plain double, where
 * process.hrtime.bigint() made two BigInts per reading, and the runner reads the clock twice
 * per request (docs/peers.md: the runner-vs-engine gap; the gain did not show on a loaded machine).
 */
export const wallClock: ReplayClock = {
  kind: 'wall-clock',
  now: () => performance.now() * 1e6,
  sleep: (us) => sleep(us / 1000),
};
