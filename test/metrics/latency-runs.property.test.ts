/**
 * LatencyRecorder records a run of equal values as one histogram update: its summaries, alone and
 * merged, must equal those of a histogram that recorded every value on its own.
 */
import fc from 'fast-check';
import type { JsHistogram } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from '../../src/metrics/latency.js';
import { recordAlone, referenceHistogram } from './reference-histogram.js';


/** Values with long runs of repeats (0 ns requests under the virtual clock), some fractional or 0. */
const values = fc.array(fc.tuple(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 50 }), fc.double({ min: 0, max: 2e7, noNaN: true })), fc.integer({ min: 1, max: 20 })), { maxLength: 40 }).map((runs) => runs.flatMap(([v, n]) => Array<number>(n).fill(v)));

function reference(xs: number[]): JsHistogram {
  const h = referenceHistogram();
  for (const x of xs) recordAlone(h, x);
  return h;
}

describe('LatencyRecorder runs of equal values', () => {
  it('summarises as a histogram of every value recorded alone, also after add()', () => {
    fc.assert(
      fc.property(values, values, (xs, ys) => {
        const a = new LatencyRecorder();
        const b = new LatencyRecorder();
        for (const x of xs) a.record(x);
        for (const y of ys) b.record(y);
        const ra = reference(xs);
        const s = a.summary();
        expect(s.count).toBe(ra.totalCount);
        if (xs.length) expect([s.p50, s.p99, s.maxNs, s.minNs]).toEqual([Math.min(ra.getValueAtPercentile(50), ra.maxValue), Math.min(ra.getValueAtPercentile(99), ra.maxValue), ra.maxValue, ra.minNonZeroValue]);
        a.record(xs.at(-1) ?? 5); // recorded after a summary: still counted
        a.add(b);
        const rab = reference([...xs, xs.at(-1) ?? 5, ...ys]);
        const m = a.summary();
        expect(m.count).toBe(rab.totalCount);
        expect([m.p90, m.p999, m.maxNs]).toEqual([Math.min(rab.getValueAtPercentile(90), rab.maxValue), Math.min(rab.getValueAtPercentile(99.9), rab.maxValue), rab.maxValue]);
      }),
      { numRuns: 150 },
    );
  });
});
