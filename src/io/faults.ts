/** Fault rules: which requests fail with which errno, matched by blkdebug event name. */
import { Rng } from '../util/random.js';
import { BackendError, type BlockBackend, type IoEvent } from './backend.js';

/**
 * The errnos a fault rule may inject: those the file calls the engine makes (pread, pwrite,
 * fsync, ftruncate) can fail with, so an injected failure is one a real disk could produce.
 */
export const FAULT_ERRNOS = ['EIO', 'ENOSPC', 'EDQUOT', 'EFBIG', 'EROFS', 'EINTR', 'EAGAIN', 'EINVAL', 'EBADF', 'ENXIO', 'EOVERFLOW', 'EPERM', 'EACCES', 'ENOMEM'] as const;

export interface FaultRule {
  event: IoEvent;
  /** errno code to fail with: EIO, ENOSPC, ... */
  errno: string;
  /** once (the first match), always, or with a probability per matching request. */
  when: { kind: 'once' } | { kind: 'always' } | { kind: 'probability'; p: number };
}

/** Which requests fail: rules matched by event, in order; probabilities from a seeded stream. */
export class FaultPlan {
  private readonly rules: FaultRule[];
  private readonly rng: Rng;

  constructor(rules: readonly FaultRule[], seed: number) {
    this.rules = [...rules];
    this.rng = new Rng(seed, 0xfa017);
  }

  add(rule: FaultRule): void {
    this.rules.push(rule);
  }

  /** No more faults: the replay is over, and its read-back and checks are not part of it. */
  clear(): void {
    this.rules.length = 0;
  }

  /** The errno a request with `event` fails with, or null. */
  match(event: IoEvent | undefined): string | null {
    if (!event) return null;
    for (let i = 0; i < this.rules.length; i++) {
      const f = this.rules[i];
      if (f.event !== event) continue;
      if (f.when.kind === 'probability' && this.rng.float() >= f.when.p) continue;
      if (f.when.kind === 'once') this.rules.splice(i, 1);
      return f.errno;
    }
    return null;
  }
}

/** A backend whose requests fail as the plan says (for real-timing replays). */
export function withFaults(inner: BlockBackend, plan: FaultPlan): BlockBackend {
  const guard = (event: IoEvent | undefined): void => {
    const errno = plan.match(event);
    if (errno) throw new BackendError(errno, `${inner.name}: injected ${errno} at ${event}`);
  };
  return {
    get name() {
      return inner.name;
    },
    get readOnly() {
      return inner.readOnly;
    },
    read: async (buf, offset, event) => (guard(event), inner.read(buf, offset, event)),
    ...(inner.readSparse && { readSparse: async (dst, offset, event) => (guard(event), inner.readSparse!(dst, offset, event)) }),
    write: async (buf, offset, event) => (guard(event), inner.write(buf, offset, event)),
    flush: async (event) => (guard(event), inner.flush(event)),
    truncate: (size) => inner.truncate(size),
    size: () => inner.size(),
    close: () => inner.close(),
  };
}

/** Real timing's backend wrapper: `rules` injected by one seeded plan (kept, so the caller can clear it), or undefined when there are none. */
export function faultWrapper(rules: FaultRule[], seed: number): { wrap: (b: BlockBackend) => BlockBackend; plan: FaultPlan } | undefined {
  if (rules.length === 0) return undefined;
  const plan = new FaultPlan(rules, seed);
  return { wrap: (b) => withFaults(b, plan), plan };
}
