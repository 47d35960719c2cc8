/** The replay's clock: wall-clock time or the deterministic scheduler's virtual time. */
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

const origin = process.hrtime.bigint();

export const wallClock: ReplayClock = {
  kind: 'wall-clock',
  now: () => Number(process.hrtime.bigint() - origin),
  sleep: (us) => sleep(us / 1000),
};
