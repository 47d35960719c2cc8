import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { L2Cache } from '../../src/cache/l2-cache.js';
import { createPolicy, POLICY_NAMES } from '../../src/cache/policies/index.js';
import { REFERENCES, TABLE, access } from './policy-reference.js';

// The simulator's one-call access (L2Cache.access, what cache-only sweeps and bench:sim use)
// must be the five-call engine sequence exactly: same hits, same counters, same evictions.

/** Keys: a hot set reused, scans over cold keys, and far offsets (beyond 2^32, 2^40) mixed in. */
const streamArb = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 40 }) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 400 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 20 }).map((k) => 2 ** 26 + k * 2 ** 14) },
  ),
  { minLength: 1, maxLength: 1500 },
);

describe('L2Cache.access equals find/alloc/commit/acquire/unref', () => {
  it.each(POLICY_NAMES)('%s: same hit sequence and counters', (policy) => {
    let evictions = 0;
    fc.assert(
      fc.property(streamArb, fc.integer({ min: 1, max: 48 }), (keys, capacity) => {
        const viaCalls = new L2Cache<number>(capacity, createPolicy(policy));
        const viaAccess = new L2Cache<number>(capacity, createPolicy(policy));
        for (const k of keys) {
          expect(viaAccess.access(k * TABLE, k)).toBe(access(viaCalls, k));
        }
        expect(viaAccess.stats()).toEqual(viaCalls.stats());
        evictions += viaAccess.stats().evictions;
      }),
      { numRuns: 150 },
    );
    expect(evictions).toBeGreaterThan(0);
  });

  it.each(Object.keys(REFERENCES))('%s: matches the reference policy on a long zipf-and-scan stream', (policy) => {
    let seed = 12345;
    const rand = (): number => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const capacity = 32;
    const cache = new L2Cache<number>(capacity, createPolicy(policy));
    const ref = REFERENCES[policy](capacity);
    let scan = 10_000;
    let hits = 0;
    for (let i = 0; i < 20_000; i++) {
      const k = rand() < 0.7 ? Math.floor(200 * rand() ** 3) : scan++;
      const hit = cache.access(k * TABLE, k);
      expect(hit).toBe(ref.access(k));
      if (hit) hits++;
    }
    expect(hits).toBeGreaterThan(0);
    expect(cache.stats().misses).toBe(20_000 - hits);
  });
});
