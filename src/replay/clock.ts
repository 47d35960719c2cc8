import { setTimeout as sleep } from 'node:timers/promises';

/** Time as the replay sees it: real, or the deterministic scheduler's virtual clock. */
export interface ReplayClock {
  readonly kind: 'wall-clock' | 'virtual';
  /** Nanoseconds since an arbitrary origin. */
  now(): number;
  sleep(us: number): Promise<void>;
  /** Virtual clock only: stop time (no completion, no timer) until `work` settles. */
  hold?(work: Promise<unknown>): void;
}

const origin = process.hrtime.bigint();

export const wallClock: ReplayClock = {
  kind: 'wall-clock',
  now: () => Number(process.hrtime.bigint() - origin),
  sleep: (us) => sleep(us / 1000),
};
