import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { L2Cache, type CacheEntry } from '../../src/cache/l2-cache.js';
import type { EvictionPolicy, Node } from '../../src/cache/policy.js';
import { createPolicy, POLICY_NAMES } from '../../src/cache/policies/index.js';
import { ArcPolicy } from '../../src/cache/policies/arc.js';
import { LfuAgingPolicy } from '../../src/cache/policies/lfu.js';
import { S3FifoPolicy } from '../../src/cache/policies/s3-fifo.js';
import { TwoQPolicy } from '../../src/cache/policies/2q.js';
import { Rng } from '../../src/util/random.js';
import { REFERENCES, RefLfuAging, TABLE, access, type RefPolicy } from './policy-reference.js';

const SAFE = POLICY_NAMES.filter((n) => n !== 'fifo-unsafe');

/** Ghost keys a policy may hold at most: ARC keeps |T| + |B| <= 2c, the others <= c. */
const ghostBound = (name: string, capacity: number): number => (name === 'arc' ? 2 * capacity : capacity);

function must(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

describe('each policy matches its reference on random plain sequences', () => {
  const seqArb = fc.tuple(
    fc.integer({ min: 1, max: 8 }),
    fc.array(fc.integer({ min: 0, max: 11 }), { minLength: 1, maxLength: 200, size: 'max' }),
  );

  interface Case {
    label: string;
    policy: (capacity: number) => EvictionPolicy;
    ref: (capacity: number) => RefPolicy;
    /** Something the runs must have exercised, so a pass is not vacuous. */
    probe?: (p: EvictionPolicy) => boolean;
  }

  const cases: Case[] = [
    ...Object.keys(REFERENCES).map((name) => ({ label: name, policy: () => createPolicy(name), ref: REFERENCES[name] })),
    { label: 'lfu-aging (Amax 2, Mrefs 5)', policy: () => new LfuAgingPolicy(2, 5), ref: (c: number) => new RefLfuAging(c, 2, 5), probe: (p) => (p as LfuAgingPolicy).agings > 0 },
  ];
  const probes: Partial<Record<string, (p: EvictionPolicy) => boolean>> = {
    arc: (p) => (p as ArcPolicy).state().p > 0,
    '2q': (p) => (p as TwoQPolicy).queues().am.length > 0,
    's3-fifo': (p) => (p as S3FifoPolicy).state().main.length > 0,
  };

  it.each(cases)('$label', ({ label, policy, ref, probe }) => {
    const check = probe ?? probes[label];
    let hits = 0;
    let evictions = 0;
    let probed = 0;
    fc.assert(
      fc.property(seqArb, ([capacity, keys]) => {
        const p = policy(capacity);
        const cache = new L2Cache<number>(capacity, p);
        const r = ref(capacity);
        keys.forEach((k, i) => {
          const got = access(cache, k);
          const want = r.access(k);
          if (got !== want) throw new Error(`access #${i} (table ${k}): policy ${got ? 'hit' : 'missed'}, reference ${want ? 'hit' : 'missed'}`);
        });
        const s = cache.stats();
        hits += s.hits;
        evictions += s.evictions;
        if (check?.(p)) probed++;
      }),
      { numRuns: 300 },
    );
    expect(hits).toBeGreaterThan(0);
    expect(evictions).toBeGreaterThan(0);
    if (check) expect(probed).toBeGreaterThan(0);
  });
});

describe('each policy matches its reference on long streams with scans and reuse (capacities 20-64)', () => {
  /** Zipf-like reuse of a hot set interleaved with sequential scans over cold keys. */
  const streamArb = fc.record({
    capacity: fc.integer({ min: 20, max: 64 }),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    hot: fc.integer({ min: 10, max: 120 }),
    scanEvery: fc.integer({ min: 50, max: 400 }),
    scanLength: fc.integer({ min: 5, max: 150 }),
  });

  function stream({ seed, hot, scanEvery, scanLength }: { seed: number; hot: number; scanEvery: number; scanLength: number }): number[] {
    const rng = new Rng(seed);
    const out: number[] = [];
    let cold = 1000;
    while (out.length < 3000) {
      if (out.length % scanEvery === 0) {
        const back = rng.float() < 0.5 ? 0 : scanLength; // half the scans repeat the last one
        for (let i = 0; i < scanLength; i++) out.push(cold - back + i);
        if (back === 0) cold += scanLength;
      }
      const u = rng.float();
      out.push(Math.floor(hot * u * u * u)); // skewed toward small keys
    }
    return out;
  }

  it.each(Object.keys(REFERENCES))('%s', (name) => {
    let hits = 0;
    let misses = 0;
    fc.assert(
      fc.property(streamArb, (arb) => {
        const cache = new L2Cache<number>(arb.capacity, createPolicy(name));
        const ref = REFERENCES[name](arb.capacity);
        stream(arb).forEach((k, i) => {
          const got = access(cache, k);
          const want = ref.access(k);
          if (got !== want) throw new Error(`access #${i} (table ${k}): policy ${got ? 'hit' : 'missed'}, reference ${want ? 'hit' : 'missed'}`);
        });
        hits += cache.stats().hits;
        misses += cache.stats().misses;
      }),
      { numRuns: 25 },
    );
    expect(hits).toBeGreaterThan(0);
    expect(misses).toBeGreaterThan(0);
  });
});

/**
 * Wraps a policy and checks every call against the cache and the requests' references:
 * inserted keys are new, accessed and removed entries are the resident ones, a victim is a
 * resident entry held by no request, and the incoming key is not resident.
 */
class Checked implements EvictionPolicy {
  readonly name: string;
  readonly respectsInUse: boolean;
  readonly resident = new Map<number, Node>();
  victims = 0;

  constructor(
    readonly inner: EvictionPolicy,
    private readonly heldBy: (key: number) => number,
  ) {
    this.name = inner.name;
    this.respectsInUse = inner.respectsInUse;
  }

  setCapacity(capacity: number): void {
    this.inner.setCapacity?.(capacity);
  }

  inserted(n: Node): void {
    if (this.resident.has(n.key)) throw new Error(`inserted ${n.key} twice`);
    this.resident.set(n.key, n);
    this.inner.inserted(n);
  }

  accessed(n: Node): void {
    if (this.resident.get(n.key) !== n) throw new Error(`accessed ${n.key}, not resident`);
    this.inner.accessed(n);
  }

  removed(n: Node): void {
    if (this.resident.get(n.key) !== n) throw new Error(`removed ${n.key}, not resident`);
    this.resident.delete(n.key);
    this.inner.removed(n);
  }

  victim(evictable: (n: Node) => boolean, incoming?: number): Node | undefined {
    if (incoming !== undefined && this.resident.has(incoming)) throw new Error(`incoming ${incoming} is resident`);
    const n = this.inner.victim(evictable, incoming);
    if (n !== undefined) {
      if (this.resident.get(n.key) !== n) throw new Error(`victim ${n.key} is not a cached entry`);
      if (this.heldBy(n.key) > 0) throw new Error(`victim ${n.key} is held by ${this.heldBy(n.key)} request(s)`);
      this.victims++;
    }
    return n;
  }

  sizes(): { resident: number; ghost: number } {
    return this.inner.sizes!();
  }
}

type Op =
  | { kind: 'start'; key: number }
  | { kind: 'finish'; pick: number }
  | { kind: 'release'; pick: number }
  | { kind: 'clear' };

const KEYS = 24;
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('start' as const), key: fc.integer({ min: 0, max: KEYS - 1 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('finish' as const), pick: fc.nat() }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

describe('shared invariants under concurrent requests (all policies that respect in-use entries)', () => {
  it.each(SAFE)('%s', (name) => {
    const seen = { overCapacity: 0, inUseSkips: 0, evictions: 0, ghost: 0, hits: 0 };
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(opArb, { maxLength: 150, size: 'max' }), (capacity, ops) => {
        const holders: CacheEntry<number>[] = [];
        const pending: CacheEntry<number>[] = [];
        const heldBy = (key: number): number => holders.filter((h) => h.offset === key && h.cached).length;
        const policy = new Checked(createPolicy(name), heldBy);
        const cache = new L2Cache<number>(capacity, policy);

        const step = (op: Op): void => {
          if (op.kind === 'start') {
            const offset = op.key * TABLE;
            const hit = cache.find(offset);
            if (hit) holders.push(hit);
            else pending.push(cache.alloc(offset, op.key));
          } else if (op.kind === 'finish') {
            if (pending.length === 0) return;
            const [e] = pending.splice(op.pick % pending.length, 1);
            cache.commit(e);
            holders.push(cache.acquire(e.offset));
          } else if (op.kind === 'release') {
            if (holders.length === 0) return;
            const [h] = holders.splice(op.pick % holders.length, 1);
            cache.unref(h);
          } else {
            cache.clear();
          }
        };

        // Plain checks (not expect) on every step: they run a few hundred thousand times.
        const check = (): void => {
          const s = cache.stats();
          must(s.evictionsInUse === 0, 'an in-use entry was evicted');
          must(s.hits + s.misses === s.lookups, 'hits + misses != lookups');
          for (const h of holders) must(h.cached, `held table ${h.offset} is no longer cached`);
          if (holders.length === 0) must(cache.size <= capacity, `nothing held but ${cache.size} entries > ${capacity}`);
          const sizes = policy.sizes();
          must(sizes.resident === cache.size, `policy tracks ${sizes.resident} entries, cache has ${cache.size}`);
          must(policy.resident.size === cache.size, 'inserted/removed calls do not add up to the cache size');
          must(sizes.ghost <= ghostBound(name, capacity), `${sizes.ghost} ghost keys at capacity ${capacity}`);
          if (cache.size > capacity) seen.overCapacity++;
          if (sizes.ghost > 0) seen.ghost++;
        };

        for (const op of ops) {
          step(op);
          check();
        }
        while (pending.length > 0) {
          step({ kind: 'finish', pick: 0 });
          check();
        }
        while (holders.length > 0) {
          step({ kind: 'release', pick: 0 });
          check();
        }
        expect(cache.size).toBeLessThanOrEqual(capacity);
        const s = cache.stats();
        seen.inUseSkips += s.inUseSkips;
        seen.evictions += s.evictions;
        seen.hits += s.hits;
        expect(policy.victims).toBe(s.evictions);
      }),
      { numRuns: 200 },
    );
    expect(seen.overCapacity).toBeGreaterThan(0);
    expect(seen.inUseSkips).toBeGreaterThan(0);
    expect(seen.evictions).toBeGreaterThan(0);
    expect(seen.hits).toBeGreaterThan(0);
    if (['arc', '2q', 's3-fifo'].includes(name)) expect(seen.ghost).toBeGreaterThan(0);
  });
});

describe('memory stays O(capacity) over a long stream', () => {
  it.each(SAFE)('%s: 50 000 accesses over 20 000 tables at capacity 16, a few held at a time', (name) => {
    const capacity = 16;
    const policy = createPolicy(name);
    const cache = new L2Cache<number>(capacity, policy);
    const rng = new Rng(7, 1);
    const held: CacheEntry<number>[] = [];
    let maxGhost = 0;
    for (let i = 0; i < 50_000; i++) {
      // Half the accesses to 40 hot tables, half spread over 20 000.
      const key = rng.below(2) === 0 ? rng.below(40) : 40 + rng.below(20_000);
      const offset = key * TABLE;
      let e = cache.find(offset);
      if (!e) {
        cache.commit(cache.alloc(offset, key));
        e = cache.acquire(offset);
      }
      held.push(e);
      if (held.length > 4) cache.unref(held.shift()!);
      const sizes = policy.sizes!();
      must(sizes.resident === cache.size, `policy tracks ${sizes.resident} entries, cache has ${cache.size}`);
      maxGhost = Math.max(maxGhost, sizes.ghost);
    }
    for (const e of held) cache.unref(e);
    expect(cache.size).toBeLessThanOrEqual(capacity);
    expect(maxGhost).toBeLessThanOrEqual(ghostBound(name, capacity));
    expect(cache.stats().evictionsInUse).toBe(0);
    expect(cache.stats().hits).toBeGreaterThan(0);
  });
});
