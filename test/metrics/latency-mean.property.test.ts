import fc from 'fast-check';
import hdr, { type JsHistogram } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { LatencyRecorder, meanOf } from '../../src/metrics/latency.js';

/** The histogram LatencyRecorder builds. */
const build = (): JsHistogram =>
  hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000_000, numberOfSignificantValueDigits: 3, autoResize: false, bitBucketSize: 64 }) as JsHistogram;

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
