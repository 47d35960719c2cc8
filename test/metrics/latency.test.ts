import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from '../../src/metrics/latency.js';

const HOUR_NS = 3_600_000_000_000;
const PCTS = [
  ['p50', 500],
  ['p90', 900],
  ['p99', 990],
  ['p999', 999],
] as const; // per mille

/** Nearest-rank percentile (per mille) of sorted values, in integers. */
function exact(sorted: number[], perMille: number): number {
  return sorted[Math.max(1, Math.ceil((perMille * sorted.length) / 1000)) - 1];
}

/** HDR with 3 significant digits reports a value in the true value's bucket: at most 0.1% above. */
function expectWithinPrecision(got: number, want: number, label: string): void {
  expect(got, label).toBeGreaterThanOrEqual(want);
  expect(got, label).toBeLessThanOrEqual(want * 1.001);
}

describe('LatencyRecorder', () => {
  it('percentiles of 1..100,000 ns within 3 significant digits; exact count, min and max', () => {
    const r = new LatencyRecorder();
    for (let v = 1; v <= 100_000; v++) r.record(v);
    const s = r.summary();
    expect(s.count).toBe(100_000);
    expect(s.minNs).toBe(1);
    expect(s.maxNs).toBe(100_000);
    expectWithinPrecision(s.p50, 50_000, 'p50');
    expectWithinPrecision(s.p90, 90_000, 'p90');
    expectWithinPrecision(s.p99, 99_000, 'p99');
    expectWithinPrecision(s.p999, 99_900, 'p999');
    expect(Math.abs(s.meanNs - 50_000.5) / 50_000.5).toBeLessThan(0.001);
  });

  it('small values (below 2048 ns) are exact', () => {
    const r = new LatencyRecorder();
    for (const v of [5, 5, 7, 100, 1000, 2000]) r.record(v);
    expect(r.summary()).toEqual({ count: 6, meanNs: 520, p50: 7, p90: 2000, p99: 2000, p999: 2000, maxNs: 2000, minNs: 5 });
  });

  it('a skewed distribution: 990 fast requests and 10 slow ones', () => {
    const r = new LatencyRecorder();
    for (let i = 0; i < 990; i++) r.record(20_000); // 20 µs
    for (let i = 0; i < 10; i++) r.record(50_000_000); // 50 ms
    const s = r.summary();
    expectWithinPrecision(s.p50, 20_000, 'p50');
    expectWithinPrecision(s.p99, 20_000, 'p99'); // the 990th of 1000
    expectWithinPrecision(s.p999, 50_000_000, 'p999');
    expect(s.maxNs).toBe(50_000_000);
  });

  it('percentiles of random samples are the nearest-rank values within HDR precision', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 10_000_000_000 }), { minLength: 1, maxLength: 300 }), (values) => {
        const r = new LatencyRecorder();
        for (const v of values) r.record(v);
        const sorted = [...values].sort((a, b) => a - b);
        const s = r.summary();
        for (const [k, pm] of PCTS) expectWithinPrecision(s[k], exact(sorted, pm), k);
        expect(s.count).toBe(values.length);
        expect(s.maxNs).toBe(Math.max(...values));
        expect(s.minNs).toBeLessThanOrEqual(sorted[0]);
        expect(s.minNs).toBeGreaterThanOrEqual(sorted[0] * 0.999);
      }),
      { numRuns: 80 },
    );
  });

  it('add() merges histograms: the same as recording everything in one', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 1e9 }), { maxLength: 100 }), fc.array(fc.integer({ min: 1, max: 1e9 }), { maxLength: 100 }), (a, b) => {
        const ra = new LatencyRecorder();
        const rb = new LatencyRecorder();
        const all = new LatencyRecorder();
        for (const v of a) (ra.record(v), all.record(v));
        for (const v of b) (rb.record(v), all.record(v));
        ra.add(rb);
        expect(ra.summary()).toEqual(all.summary());
        expect(rb.summary().count).toBe(b.length); // the added one is unchanged
      }),
      { numRuns: 40 },
    );
  });

  it('an empty recorder summarises as zeros', () => {
    expect(new LatencyRecorder().summary()).toEqual({ count: 0, meanNs: 0, p50: 0, p90: 0, p99: 0, p999: 0, maxNs: 0, minNs: 0 });
  });

  it('values are rounded and clamped to 1 ns .. 1 hour instead of throwing', () => {
    const r = new LatencyRecorder();
    r.record(0);
    r.record(-5);
    r.record(2.6);
    r.record(HOUR_NS * 10);
    const s = r.summary();
    expect(s.count).toBe(4);
    expect(s.minNs).toBe(1);
    expect(s.p50).toBe(1);
    expectWithinPrecision(s.maxNs, HOUR_NS, 'max');
    const q = new LatencyRecorder();
    q.record(2.6);
    expect(q.summary().maxNs).toBe(3);
  });
});
