import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LruStackDistances, curveSizes } from '../../src/cache/mrc.js';
import { FixedSizeShards, SHARDS_MODULUS, ShardsCurve, missRatioCurveBuilder, sampleHash } from '../../src/cache/shards.js';
import { Rng } from '../../src/util/random.js';
import { Scatter, zipfRanks } from '../../src/workload/distributions.js';
import { RefLru } from './policy-reference.js';

const TABLE = 4 * 65536;

/** 240,000 accesses over 6,000 tables: zipf(0.9) over scattered offsets, seeded. */
function skewedStream(): number[] {
  const n = 6000;
  const zipf = zipfRanks(n, 0.9);
  const scatter = new Scatter(n);
  const rng = new Rng(42, 5);
  return Array.from({ length: 240_000 }, () => scatter.map(zipf.next(rng)) * TABLE);
}

describe('SHARDS sampled miss-ratio curve', () => {
  const stream = skewedStream();
  const exact = new LruStackDistances();
  for (const k of stream) exact.access(k);
  const distinct = exact.distinctKeys;
  const every = Array.from({ length: distinct }, (_, i) => i + 1);
  const exactCurve = exact.curve(distinct);

  it('equals the exact curve at R = 1', () => {
    const s = new ShardsCurve(1);
    for (const k of stream) s.access(k);
    expect(s.sampleRate).toBe(1);
    expect(s.distinctEstimate).toBe(distinct);
    expect(s.missRatios(every)).toEqual(Array.from(exactCurve.subarray(1)));
    expect(s.report(50)).toEqual({ ...exact.report(50), kind: 'shards' });
  });

  it('is within 0.02 mean absolute error of the exact curve at R = 0.1', () => {
    expect(distinct).toBeGreaterThanOrEqual(5000);
    const s = new ShardsCurve(0.1);
    for (const k of stream) s.access(k);
    // The sample holds about a tenth of the tables and of the lookups.
    expect(s.sampledKeys / distinct).toBeGreaterThan(0.08);
    expect(s.sampledKeys / distinct).toBeLessThan(0.12);
    expect(Math.abs(s.distinctEstimate - distinct) / distinct).toBeLessThan(0.2);
    const est = s.missRatios(every);
    const mae = est.reduce((sum, m, i) => sum + Math.abs(m - exactCurve[i + 1]), 0) / distinct;
    expect(mae).toBeLessThanOrEqual(0.02);
    // And it is a curve: never rising with size.
    for (let i = 1; i < est.length; i++) expect(est[i]).toBeLessThanOrEqual(est[i - 1]);
  });

  const mae = (est: number[]): number => est.reduce((sum, m, i) => sum + Math.abs(m - exactCurve[i + 1]), 0) / distinct;

  it('the adjustment is what keeps R = 0.1 within 0.02: the plain estimate is not', () => {
    const plain = new ShardsCurve(0.1, { adjust: false });
    const adj = new ShardsCurve(0.1);
    for (const k of stream) {
      plain.access(k);
      adj.access(k);
    }
    expect(mae(adj.missRatios(every))).toBeLessThanOrEqual(0.02);
    expect(mae(plain.missRatios(every))).toBeGreaterThan(0.02);
  });

  it('fixed-size: within 0.02 mean absolute error with 600 keys (about R = 0.1), never holding more', () => {
    const s = new FixedSizeShards(600);
    for (const k of stream) s.access(k);
    expect(s.peakSampledKeys).toBeLessThanOrEqual(600);
    expect(s.sampleRate).toBeGreaterThan(0.07);
    expect(s.sampleRate).toBeLessThan(0.13);
    expect(Math.abs(s.distinctEstimate - distinct) / distinct).toBeLessThan(0.2);
    const est = s.missRatios(every);
    expect(mae(est)).toBeLessThanOrEqual(0.02);
    for (let i = 1; i < est.length; i++) expect(est[i]).toBeLessThanOrEqual(est[i - 1]);
  });

  it('fixed-size: never more than s_max keys, only keys below the threshold, exact while the sample has room', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.array(fc.record({ key: fc.nat({ max: 400 }), insert: fc.boolean() }), { minLength: 1, maxLength: 1500 }),
        (max, ops) => {
          const s = new FixedSizeShards(max);
          const exact = new LruStackDistances();
          for (const o of ops) {
            const k = o.key * TABLE;
            if (o.insert) {
              s.insert(k);
              exact.insert(k);
            } else {
              s.access(k);
              exact.access(k);
            }
            expect(s.sampledKeys).toBeLessThanOrEqual(max);
          }
          expect(s.peakSampledKeys).toBeLessThanOrEqual(max);
          if (exact.distinctKeys <= max) {
            expect(s.sampleRate).toBe(1);
            const sizes = [1, 2, 3, 5, 10, 50, 401];
            const got = s.missRatios(sizes);
            const want = exact.missRatios(sizes);
            for (let i = 0; i < sizes.length; i++) expect(got[i]).toBeCloseTo(want[i], 9);
          } else {
            expect(s.sampleRate).toBeLessThan(1);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('samples by key: every access of a sampled key, none of the others', () => {
    const s = new ShardsCurve(0.25);
    const keys = Array.from({ length: 4000 }, (_, i) => i * TABLE);
    for (const k of [...keys, ...keys]) s.access(k);
    const sampled = keys.filter((k) => (sampleHash(k) & (SHARDS_MODULUS - 1)) < s.threshold);
    expect(s.sampledKeys).toBe(sampled.length);
    expect(s.sampledLookups).toBe(2 * sampled.length);
    expect(sampled.length / keys.length).toBeGreaterThan(0.22);
    expect(sampled.length / keys.length).toBeLessThan(0.28);
  });

  it('rejects rates outside (0, 1]', () => {
    for (const r of [0, -0.5, 1.5, Number.NaN]) expect(() => missRatioCurveBuilder(r)).toThrow(RangeError);
    expect(missRatioCurveBuilder(1)).toBeInstanceOf(LruStackDistances);
    expect(missRatioCurveBuilder(0.5)).toBeInstanceOf(ShardsCurve);
    expect(missRatioCurveBuilder(1, 100)).toBeInstanceOf(FixedSizeShards);
    for (const n of [0, -1, 2.5, Number.NaN]) expect(() => new FixedSizeShards(n)).toThrow(RangeError);
  });
});

describe('exact curve on long streams (the time axis packs and grows)', () => {
  it('equals array-based LRU at several sizes, inserts included', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.nat({ max: 1500 }), insert: fc.boolean() }), { minLength: 2000, maxLength: 5000 }),
        (ops) => {
          const sd = new LruStackDistances();
          for (const o of ops) (o.insert ? sd.insert(o.key) : sd.access(o.key));
          const sizes = [1, 2, 3, 5, 8, 13, 37, 100, 250, 600, 1000, 1501];
          const got = sd.missRatios(sizes);
          for (const [i, size] of sizes.entries()) {
            const lru = new RefLru(size);
            let lookups = 0;
            let misses = 0;
            for (const o of ops) {
              const hit = lru.access(o.key);
              if (o.insert) continue;
              lookups++;
              if (!hit) misses++;
            }
            expect(sd.lookups).toBe(lookups);
            expect(got[i] * lookups).toBeCloseTo(misses, 6);
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  it('remove() takes a key off the stack: distances as an array stack without it', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ key: fc.nat({ max: 300 }), remove: fc.boolean() }), { minLength: 1, maxLength: 3000 }), (ops) => {
        const sd = new LruStackDistances();
        const stack: number[] = []; // most recent first
        for (const o of ops) {
          const at = stack.indexOf(o.key);
          if (o.remove) {
            expect(sd.remove(o.key)).toBe(at >= 0);
            if (at >= 0) stack.splice(at, 1);
          } else {
            expect(sd.reference(o.key)).toBe(at + 1);
            if (at >= 0) stack.splice(at, 1);
            stack.unshift(o.key);
          }
          expect(sd.distinctKeys).toBe(stack.length);
        }
      }),
      { numRuns: 20 },
    );
  });

  it('report sizes: every size when few tables, else a log spread with the capacity', () => {
    expect(curveSizes(5, 3)).toEqual([1, 2, 3, 4, 5]);
    expect(curveSizes(5, 8)).toEqual([1, 2, 3, 4, 5, 8]);
    const many = curveSizes(100_000, 777);
    expect(many[0]).toBe(1);
    expect(many.at(-1)).toBe(100_000);
    expect(many).toContain(777);
    expect(many.length).toBeGreaterThan(400);
    expect(many.length).toBeLessThanOrEqual(513);
    expect(curveSizes(100_000, 0, 512, [1000, 3])).toContain(1000);
    expect(curveSizes(4, 0, 512, [9])).toEqual([1, 2, 3, 4, 9]);
  });
});
