import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { L2Cache, type CacheStats } from '../../src/cache/l2-cache.js';
import { createPolicy } from '../../src/cache/policies/index.js';
import { CacheModel, type ModelEntry } from './cache-model.js';

const TABLE = 65536;
const KEYS = 16;

/**
 * A request starts with a lookup; a miss begins a load that finishes later (so two requests
 * can load the same table: duplicate loads and commits). Every request ends with a release.
 */
type Op =
  | { kind: 'start'; key: number }
  | { kind: 'finish'; pick: number }
  | { kind: 'release'; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('start' as const), key: fc.integer({ min: 0, max: KEYS - 1 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('finish' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }) },
);

const COUNTERS = [
  'lookups', 'hits', 'misses', 'loads', 'duplicateLoads', 'commits', 'duplicateCommits',
  'evictions', 'evictionsInUse', 'inUseSkips', 'peakEntries', 'peakOverCapacity',
  'overCapacityEpisodes', 'requestsCompletedOverCapacity',
] as const satisfies readonly (keyof CacheStats & keyof CacheModel)[];

/** Which interesting states the random runs reached, so a vacuous pass fails. */
interface Seen {
  overCapacity: number;
  evictionInUse: number;
  duplicateCommit: number;
  hit: number;
}

function runScenario(policy: 'fifo' | 'fifo-unsafe', capacity: number, ops: Op[], seen: Seen): void {
  const safe = policy === 'fifo';
  const cache = new L2Cache<number>(capacity, createPolicy(policy));
  const model = new CacheModel(capacity, safe);
  const holders: ModelEntry[] = [];
  const pending: ModelEntry[] = [];
  let nextTable = 0;

  const step = (op: Op): void => {
    if (op.kind === 'start') {
      const offset = op.key * TABLE;
      const found = cache.find(offset);
      const m = model.find(offset);
      if (m) {
        expect(found).toBe(m.real);
        holders.push(m);
        seen.hit++;
      } else {
        expect(found).toBeUndefined();
        cache.beginLoad(offset);
        model.beginLoad(offset);
        const real = cache.alloc(offset, nextTable++);
        pending.push({ real, key: offset, ref: 1, cached: false });
      }
    } else if (op.kind === 'finish') {
      if (pending.length === 0) return;
      const [p] = pending.splice(op.pick % pending.length, 1);
      cache.endLoad(p.key);
      model.endLoad(p.key);
      cache.commit(p.real);
      const owner = model.commit(p);
      if (owner !== p) {
        // The duplicate copy is dropped: nobody holds it any more.
        expect(p.real.ref).toBe(0);
        expect(p.real.cached).toBe(false);
        seen.duplicateCommit++;
      }
      if (!safe) expect(cache.size).toBeLessThanOrEqual(capacity);
      const got = cache.acquire(p.key);
      owner.ref++;
      expect(got).toBe(owner.real);
      holders.push(owner);
    } else {
      if (holders.length === 0) return;
      const [h] = holders.splice(op.pick % holders.length, 1);
      cache.unref(h.real);
      model.unref(h);
      cache.requestCompleted();
      model.requestCompleted();
    }
    model.observe();
  };

  const check = (): void => {
    const s = cache.stats();
    expect(s.hits + s.misses).toBe(s.lookups);
    expect(s.entries).toBe(cache.size);
    expect(s.peakEntries).toBeGreaterThanOrEqual(s.entries);
    expect(cache.size).toBe(model.size);
    for (const name of COUNTERS) expect({ [name]: s[name] }).toEqual({ [name]: model[name] });
    for (let k = 0; k < KEYS; k++) {
      expect(cache.isCached(k * TABLE)).toBe(model.cached(k * TABLE) !== undefined);
    }
    // Refs counted from who holds what, not from the model's own bookkeeping.
    for (const e of new Set([...model.order, ...holders, ...pending])) {
      const expected =
        (e.cached ? 1 : 0) + holders.filter((h) => h === e).length + (pending.includes(e) ? 1 : 0);
      expect(e.real.ref).toBe(expected);
      expect(e.ref).toBe(expected);
      expect(e.real.cached).toBe(e.cached);
    }
    if (safe) {
      expect(s.evictionsInUse).toBe(0);
      for (const h of holders) expect(h.real.cached).toBe(true);
      if (holders.length === 0) expect(cache.size).toBeLessThanOrEqual(capacity);
    } else {
      expect(cache.size).toBeLessThanOrEqual(capacity);
      expect(s.peakOverCapacity).toBe(0);
    }
    if (cache.size > capacity) seen.overCapacity++;
    if (s.evictionsInUse > 0) seen.evictionInUse++;
  };

  for (const op of ops) {
    step(op);
    check();
  }
  // Let every request finish: the cache must settle back within capacity.
  while (pending.length > 0) {
    step({ kind: 'finish', pick: 0 });
    check();
  }
  while (holders.length > 0) {
    step({ kind: 'release', pick: 0 });
    check();
  }
  expect(cache.size).toBeLessThanOrEqual(capacity);
  for (const e of model.order) expect(e.real.ref).toBe(1);
}

const scenarioArb = fc.tuple(fc.integer({ min: 1, max: 6 }), fc.array(opArb, { maxLength: 80 }));

describe('L2Cache against a model (random request interleavings)', () => {
  it('fifo: in-use entries are never evicted and every counter matches the model', () => {
    const seen: Seen = { overCapacity: 0, evictionInUse: 0, duplicateCommit: 0, hit: 0 };
    fc.assert(
      fc.property(scenarioArb, ([capacity, ops]) => runScenario('fifo', capacity, ops, seen)),
      { numRuns: 300 },
    );
    expect(seen.overCapacity).toBeGreaterThan(0);
    expect(seen.duplicateCommit).toBeGreaterThan(0);
    expect(seen.hit).toBeGreaterThan(0);
  });

  it('fifo-unsafe: never past capacity, and in-use evictions are counted', () => {
    const seen: Seen = { overCapacity: 0, evictionInUse: 0, duplicateCommit: 0, hit: 0 };
    fc.assert(
      fc.property(scenarioArb, ([capacity, ops]) => runScenario('fifo-unsafe', capacity, ops, seen)),
      { numRuns: 300 },
    );
    expect(seen.evictionInUse).toBeGreaterThan(0);
    expect(seen.overCapacity).toBe(0);
  });
});

describe('FIFO order with no references held', () => {
  it.each(['fifo', 'fifo-unsafe'] as const)('%s evicts the oldest inserted key; hits do not move it', (policy) => {
    let evictions = 0;
    let hits = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 0, max: KEYS - 1 }), { maxLength: 80 }),
        (capacity, keys) => {
          const cache = new L2Cache<number>(capacity, createPolicy(policy));
          const inserted: number[] = []; // oldest first
          for (const k of keys) {
            const offset = k * TABLE;
            const hit = cache.find(offset);
            if (hit) {
              cache.unref(hit);
              hits++;
              continue;
            }
            cache.commit(cache.alloc(offset, k));
            if (inserted.length === capacity) {
              const oldest = inserted.shift()!;
              expect(cache.isCached(oldest)).toBe(false);
              evictions++;
            }
            inserted.push(offset);
            for (const o of inserted) expect(cache.isCached(o)).toBe(true);
            expect(cache.size).toBe(inserted.length);
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(evictions).toBeGreaterThan(0);
    expect(hits).toBeGreaterThan(0);
  });
});
