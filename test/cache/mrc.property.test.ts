import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { L2Cache } from '../../src/cache/l2-cache.js';
import { LruStackDistances } from '../../src/cache/mrc.js';
import { createPolicy } from '../../src/cache/policies/index.js';
import { access } from './policy-reference.js';

/** Misses of a real LRU L2 cache of `size` tables over the stream. */
function lruMisses(stream: number[], size: number): number {
  const cache = new L2Cache<number>(size, createPolicy('lru'));
  let misses = 0;
  for (const k of stream) if (!access(cache, k)) misses++;
  return misses;
}

describe('one-pass LRU miss-ratio curve', () => {
  it('equals a full LRU replay at every size', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 40 }), { minLength: 1, maxLength: 400 }), (stream) => {
        const sd = new LruStackDistances();
        for (const k of stream) sd.access(k);
        const curve = sd.curve(45);
        for (const size of [1, 2, 3, 5, 8, 13, 21, 41, 45]) {
          expect(Math.round(curve[size] * stream.length)).toBe(lruMisses(stream, size));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('counts cold misses and reaches the cold-miss floor once every key fits', () => {
    const stream = [1, 2, 3, 1, 2, 3, 4, 1];
    const sd = new LruStackDistances();
    for (const k of stream) sd.access(k);
    expect(sd.coldMisses).toBe(4);
    expect(sd.distinctKeys).toBe(4);
    const c = sd.curve();
    // Distances: 1,2,3 recur at 3 (hits from size 3); the last 1 is at distance 4.
    expect(c[2]).toBe(1);
    expect(c[3]).toBeCloseTo(5 / 8);
    expect(c[4]).toBeCloseTo(4 / 8);
  });

  it('keeps exact distances while its time axis packs and grows (stream length unknown up front)', () => {
    // 3,000 distinct keys (the axis starts at 1,024 and must double) in 20 rounds: 60,000
    // accesses pack the axis many times. A key's distance is 3,000 each round after the first.
    const sd = new LruStackDistances();
    for (let round = 0; round < 20; round++) for (let k = 0; k < 3000; k++) sd.access(k * 65536);
    const c = sd.curve(3000);
    expect(sd.coldMisses).toBe(3000);
    expect(c[2999]).toBe(1);
    expect(c[3000]).toBeCloseTo(3000 / 60000);
    // Inserts occupy the stack without counting as lookups.
    const s2 = new LruStackDistances();
    s2.insert(1);
    s2.access(2);
    s2.access(1);
    expect([s2.lookups, s2.inserts, s2.coldMisses]).toEqual([2, 1, 1]);
    expect(s2.curve(2)[1]).toBe(1);
    expect(s2.curve(2)[2]).toBeCloseTo(0.5);
  });
});
