import { describe, expect, it } from 'vitest';
import { L2Cache, type CacheEntry } from '../../src/cache/l2-cache.js';
import { createPolicy, POLICY_NAMES } from '../../src/cache/policies/index.js';

const T = 65536;
const A = 0 * T;
const B = 1 * T;
const C = 2 * T;
const D = 3 * T;

function cache(capacity: number, policy = 'fifo'): L2Cache<string> {
  return new L2Cache<string>(capacity, createPolicy(policy));
}

/** What a request does: find, or on a miss load + commit + take a reference. */
function request(c: L2Cache<string>, offset: number): CacheEntry<string> {
  const hit = c.find(offset);
  if (hit) return hit;
  c.commit(c.alloc(offset, `table@${offset}`));
  return c.acquire(offset);
}

/** Insert without keeping a reference. */
function load(c: L2Cache<string>, offset: number): void {
  c.unref(request(c, offset));
}

describe('fifo eviction', () => {
  it('evicts the oldest entry', () => {
    const c = cache(2);
    load(c, A);
    load(c, B);
    load(c, C);
    expect([c.isCached(A), c.isCached(B), c.isCached(C)]).toEqual([false, true, true]);
    expect(c.stats()).toMatchObject({ evictions: 1, evictionsInUse: 0, entries: 2, peakEntries: 2 });
  });

  it('a hit does not move an entry', () => {
    const c = cache(2);
    load(c, A);
    load(c, B);
    load(c, A); // hit on the oldest
    load(c, C);
    expect(c.isCached(A)).toBe(false);
    expect(c.isCached(B)).toBe(true);
    expect(c.stats()).toMatchObject({ lookups: 4, hits: 1, misses: 3 });
  });

  it('skips an in-use entry and evicts the next oldest', () => {
    const c = cache(2);
    const a = request(c, A); // held
    load(c, B);
    load(c, C);
    expect([c.isCached(A), c.isCached(B), c.isCached(C)]).toEqual([true, false, true]);
    expect(a.ref).toBe(2);
    expect(c.stats()).toMatchObject({ inUseSkips: 1, evictions: 1, evictionsInUse: 0 });
  });

  it('grows past capacity when all entries are in use, then shrinks back on unref', () => {
    const c = cache(1);
    const a = request(c, A);
    const b = request(c, B); // A in use: skipped, cache grows
    expect(c.size).toBe(2);
    expect(b.cached).toBe(true);
    expect(c.stats()).toMatchObject({
      inUseSkips: 1, evictions: 0, peakEntries: 2, peakOverCapacity: 1, overCapacityEpisodes: 1,
    });

    c.unref(a); // A is free again and oldest: it goes
    expect(c.size).toBe(1);
    expect(c.isCached(A)).toBe(false);
    expect(a.ref).toBe(0);
    expect(c.stats()).toMatchObject({ evictions: 1, entries: 1, peakEntries: 2 });

    // Going over again is a second episode.
    request(c, C);
    expect(c.stats().overCapacityEpisodes).toBe(2);
    c.unref(b);
  });

  it('a second table while already over capacity does not start a new episode', () => {
    const c = cache(1);
    request(c, A);
    request(c, B);
    request(c, C);
    expect(c.stats()).toMatchObject({ entries: 3, peakOverCapacity: 2, overCapacityEpisodes: 1 });
  });
});

describe('fifo-unsafe (QEMU before the 2012 fix)', () => {
  it('evicts an in-use entry; the holder keeps a usable, uncached entry', () => {
    const c = cache(1, 'fifo-unsafe');
    const a = request(c, A);
    request(c, B);
    expect(c.size).toBe(1);
    expect(c.isCached(A)).toBe(false);
    expect(a.cached).toBe(false);
    expect(a.ref).toBe(1); // only the holder's reference is left
    expect(a.table).toBe(`table@${A}`);
    expect(c.stats()).toMatchObject({ evictions: 1, evictionsInUse: 1, inUseSkips: 0, peakOverCapacity: 0 });

    c.unref(a); // releasing an evicted entry must not touch the cache
    expect(a.ref).toBe(0);
    expect(c.size).toBe(1);
    expect(c.isCached(B)).toBe(true);
  });
});

describe('commit and loads', () => {
  it('a duplicate commit drops the new copy and keeps the cached one', () => {
    const c = cache(4);
    const first = c.alloc(A, 'first');
    const second = c.alloc(A, 'second');
    c.commit(first);
    c.commit(second);
    expect(second.ref).toBe(0);
    expect(second.cached).toBe(false);
    expect(first.ref).toBe(1);
    expect(c.size).toBe(1);
    expect(c.acquire(A).table).toBe('first');
    expect(c.stats()).toMatchObject({ commits: 1, duplicateCommits: 1 });
  });

  it('committing the same entry twice throws', () => {
    const c = cache(4);
    const e = c.alloc(A, 'x');
    c.commit(e);
    expect(() => c.commit(e)).toThrow(/committed twice/);
  });

  it('counts a second concurrent load of a table as a duplicate load', () => {
    const c = cache(4);
    c.beginLoad(A);
    c.beginLoad(A); // duplicate
    c.beginLoad(B);
    c.endLoad(A);
    c.beginLoad(A); // still one in flight: duplicate
    c.endLoad(A);
    c.endLoad(A);
    c.beginLoad(A); // none in flight: not a duplicate
    expect(c.stats()).toMatchObject({ loads: 5, duplicateLoads: 2 });
  });

  it('unref past zero throws', () => {
    const c = cache(1);
    const e = c.alloc(A, 'x');
    c.unref(e);
    expect(() => c.unref(e)).toThrow(/released more often/);
  });
});

describe('requestCompleted', () => {
  it('counts only requests that complete while the cache is over capacity', () => {
    const c = cache(1);
    const a = request(c, A);
    c.requestCompleted(); // at capacity
    const b = request(c, B);
    c.requestCompleted(); // over
    c.unref(a);
    c.requestCompleted(); // back at capacity
    c.unref(b);
    expect(c.stats().requestsCompletedOverCapacity).toBe(1);
  });
});

describe('construction', () => {
  it.each([0, -1, 1.5, Number.NaN])('capacity %s throws RangeError', (capacity) => {
    expect(() => cache(capacity)).toThrow(RangeError);
  });

  it('reports capacity and policy in stats', () => {
    expect(cache(3, 'fifo-unsafe').stats()).toMatchObject({ capacity: 3, policy: 'fifo-unsafe' });
  });

  it('an unknown policy name lists the known ones', () => {
    expect(POLICY_NAMES).toEqual(expect.arrayContaining(['fifo', 'fifo-unsafe']));
    expect(() => createPolicy('lru-ish')).toThrow(`unknown cache policy "lru-ish"; known policies: ${POLICY_NAMES.join(', ')}`);
  });
});

describe('clear', () => {
  it('removes free entries and keeps in-use ones', () => {
    const c = cache(4);
    const a = request(c, A);
    load(c, B);
    c.clear();
    expect(c.isCached(A)).toBe(true);
    expect(c.isCached(B)).toBe(false);
    expect(a.ref).toBe(2);
    load(c, D);
    expect(c.size).toBe(2);
  });
});
