import fc from 'fast-check';
import type { JsHistogram } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { LatencyRecorder, meanOf } from '../../src/metrics/latency.js';
import { recordAlone, referenceHistogram } from './reference-histogram.js';

const build = referenceHistogram;

const latency = fc.oneof(fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 20_000_000 }), fc.integer({ min: 1, max: 3_600_000_000_000 }));

describe('meanOf (the mean without hdr-histogram-js iterator)', () => {
  it('is exactly hdr-histogram-js mean, float for float, also after merging histograms', () => {
    const a = build();
    const b = build();
    fc.assert(
      fc.property(fc.array(latency, { minLength: 1, maxLength: 300 }), fc.array(latency, { maxLength: 100 }), (xs, ys) => {
        a.reset();
        b.reset();
        for (const x of xs) a.recordValue(x);
        expect(meanOf(a)).toBe(a.mean);
        for (const y of ys) b.recordValue(y);
        a.add(b);
        expect(meanOf(a)).toBe(a.mean);
      }),
      { numRuns: 100 },
    );
  });

  it('gives LatencyRecorder.summary() the rounded mean', () => {
    const r = new LatencyRecorder();
    for (const ns of [1000, 2000, 3000, 1_000_000]) r.record(ns);
    expect(r.summary().meanNs).toBeGreaterThan(251_000);
    expect(r.summary().meanNs).toBeLessThan(252_000); // (1000 + 2000 + 3000 + 1e6) / 4 = 251,500 within 0.1%
    expect(new LatencyRecorder().summary().meanNs).toBe(0);
  });
});

describe('LatencyRecorder.record (slots found in integer steps below 2^31 ns)', () => {
  it('fills the same slots, count, minimum and maximum as hdr-histogram-js recordValue', () => {
    const nearPowers = fc.integer({ min: 0, max: 41 }).chain((k) => fc.integer({ min: -3, max: 3 }).map((d) => Math.max(1, 2 ** k + d)));
    fc.assert(
      fc.property(fc.array(fc.oneof(latency, nearPowers, fc.double({ min: 0, max: 3e9, noNaN: true })), { minLength: 1, maxLength: 300 }), (xs) => {
        const r = new LatencyRecorder();
        const ref = build();
        for (const x of xs) {
          r.record(x);
          recordAlone(ref, x);
        }
        const summary = r.summary(); // also puts a pending run of equal values into the histogram
        const h = (r as unknown as { h: JsHistogram }).h;
        expect(h.totalCount).toBe(ref.totalCount);
        expect(h.maxValue).toBe(ref.maxValue);
        expect(h.minNonZeroValue).toBe(ref.minNonZeroValue);
        for (let i = 0; i < ref.countsArrayLength; i++) if (h.getCountAtIndex(i) !== ref.getCountAtIndex(i)) expect({ i, count: h.getCountAtIndex(i) }).toEqual({ i, count: ref.getCountAtIndex(i) });
        expect(summary).toEqual({ count: ref.totalCount, meanNs: Math.round(meanOf(ref)), p50: Math.min(ref.getValueAtPercentile(50), ref.maxValue), p90: Math.min(ref.getValueAtPercentile(90), ref.maxValue), p99: Math.min(ref.getValueAtPercentile(99), ref.maxValue), p999: Math.min(ref.getValueAtPercentile(99.9), ref.maxValue), maxNs: ref.maxValue, minNs: ref.minNonZeroValue });
      }),
      { numRuns: 200 },
    );
  });
});
