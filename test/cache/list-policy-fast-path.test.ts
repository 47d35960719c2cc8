import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { L2Cache, type CacheEntry } from '../../src/cache/l2-cache.js';
import { createPolicy } from '../../src/cache/policies/index.js';
import type { EvictionPolicy } from '../../src/cache/policy.js';

/**
 * L2Cache drives list policies (fifo, fifo-unsafe, lru, clock, sieve) through their node fast
 * path and every other policy through keys. The same policy behind a plain forwarding wrapper
 * only offers keys: both caches must do exactly the same thing under concurrent requests.
 */
class KeysOnly implements EvictionPolicy {
  readonly name: string;
  readonly respectsInUse: boolean;
  constructor(private readonly inner: EvictionPolicy) {
    this.name = inner.name;
    this.respectsInUse = inner.respectsInUse;
  }
  setCapacity(c: number): void {
    this.inner.setCapacity?.(c);
  }
  inserted(k: number): void {
    this.inner.inserted(k);
  }
  accessed(k: number): void {
    this.inner.accessed(k);
  }
  removed(k: number): void {
    this.inner.removed(k);
  }
  victim(ok: (k: number) => boolean, incoming?: number): number | undefined {
    return this.inner.victim(ok, incoming);
  }
}

const TABLE = 65536;
type Op = { kind: 'start'; key: number } | { kind: 'finish'; pick: number } | { kind: 'release'; pick: number } | { kind: 'clear' };
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('start' as const), key: fc.nat({ max: 14 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('finish' as const), pick: fc.nat() }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

/** Replays ops on a cache; returns what each step saw. */
function drive(cache: L2Cache<number>, ops: Op[]): string[] {
  const held: CacheEntry<number>[] = [];
  const pending: CacheEntry<number>[] = [];
  const log: string[] = [];
  for (const op of ops) {
    if (op.kind === 'start') {
      const hit = cache.find(op.key * TABLE);
      if (hit) held.push(hit);
      else pending.push(cache.alloc(op.key * TABLE, op.key));
      log.push(hit ? 'hit' : 'miss');
    } else if (op.kind === 'finish' && pending.length) {
      const [e] = pending.splice(op.pick % pending.length, 1);
      cache.commit(e);
      held.push(cache.acquire(e.offset));
    } else if (op.kind === 'release' && held.length) {
      cache.unref(held.splice(op.pick % held.length, 1)[0]);
    } else if (op.kind === 'clear') {
      cache.clear();
    }
    log.push(`${cache.size}:${Array.from({ length: 15 }, (_, k) => (cache.isCached(k * TABLE) ? 1 : 0)).join('')}`);
  }
  return log;
}

describe('list policies: node fast path = key path', () => {
  it.each(['fifo', 'fifo-unsafe', 'lru', 'clock', 'sieve'])('%s', (name) => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(opArb, { minLength: 20, maxLength: 200, size: 'max' }), (capacity, ops) => {
        const fast = new L2Cache<number>(capacity, createPolicy(name));
        const keyed = new L2Cache<number>(capacity, new KeysOnly(createPolicy(name)));
        expect(drive(fast, ops)).toEqual(drive(keyed, ops));
        expect(fast.stats()).toEqual(keyed.stats());
      }),
      { numRuns: 300 },
    );
  });
});
