/** Latency recording (an HDR histogram in ns) and its percentiles. */
import { createRequire } from 'node:module';
import type { JsHistogram } from 'hdr-histogram-js';

// The one histogram class used, not the package index: that loads every variant, the WebAssembly
// one (its code as base64) and its compression dependencies, about 14 MiB of RSS per process.
// required (CommonJS), so node and vitest agree on what the module's default is.
const { default: Float64Histogram } = createRequire(import.meta.url)('hdr-histogram-js/dist/Float64Histogram.js') as typeof import('hdr-histogram-js/dist/Float64Histogram.js');

/** Latency percentiles in nanoseconds, as fio's clat_ns reports them. */
export interface LatencySummary {
  count: number;
  meanNs: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  maxNs: number;
  minNs: number;
}

/** Values a recorder holds before folding them into its histogram (2 KiB). */
const PENDING = 256;

/**
 * A fixed-size HDR histogram of latencies in ns (1 ns .. 1 hour, 3 significant digits), so
 * memory stays bounded however long the replay.
 */
export class LatencyRecorder {
  // What hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 1 h, 3 digits, autoResize: false, bitBucketSize: 64 }) makes.
  private readonly h = new Float64Histogram(1, 3_600_000_000_000, 3);

  /**
   * Values recorded but not yet in the histogram: recording one is a store, and the histogram
   * takes them a batch at a time (fold), which costs the replay loop less per request than a
   * histogram update each (the histogram's counts, minimum and maximum do not depend on the order).
   */
  private readonly pending = new Float64Array(PENDING);
  private n = 0;

  record(ns: number): void {
    this.pending[this.n] = ns;
    if (++this.n === PENDING) this.fold();
  }

  /**
   * Puts the pending values into the histogram. hdr-histogram-js finds a value's slot with
   * Math.log2, Math.pow and a division; below 2^31 ns (2.1 s) this finds the same slot in integer
   * steps, adds equal values in a row (most requests under the virtual clock take 0 ns) as one
   * count, and updates the total, minimum and maximum once per batch, as recordValueWithCount
   * would value by value. Larger values take the library's path.
   */
  private fold(): void {
    const n = this.n;
    if (n === 0) return;
    this.n = 0;
    const h = this.h;
    const xs = this.pending;
    const shift = h.subBucketHalfCountMagnitude + h.unitMagnitude;
    let lo = Infinity;
    let hi = 0;
    let total = 0;
    for (let i = 0; i < n; ) {
      const x = xs[i];
      let j = i + 1;
      while (j < n && xs[j] === x) j++;
      const count = j - i;
      i = j;
      const v = Math.max(1, Math.min(Math.round(x), 3_600_000_000_000));
      if (v < 2 ** 31) {
        const bucket = Math.max(31 - Math.clz32(v) - shift, 0);
        const index = bucket * h.subBucketHalfCount + (v >>> (bucket + h.unitMagnitude));
        if (index < h.countsArrayLength) {
          h.addToCountAtIndex(index, count);
          if (v < lo) lo = v;
          if (v > hi) hi = v;
          total += count;
          continue;
        }
      }
      h.recordValueWithCount(v, count);
    }
    if (total > 0) {
      h.updateMinAndMax(lo);
      h.updateMinAndMax(hi);
      h.addToTotalCount(total);
    }
  }

  add(other: LatencyRecorder): void {
    this.fold();
    other.fold();
    this.h.add(other.h);
  }

  summary(): LatencySummary {
    this.fold();
    const h = this.h;
    const n = h.totalCount;
    // HDR reports a bucket's upper edge; never show a percentile above the recorded maximum.
    const at = (p: number): number => (n ? Math.min(h.getValueAtPercentile(p), h.maxValue) : 0);
    return {
      count: n,
      meanNs: n ? Math.round(meanOf(h as JsHistogram)) : 0,
      p50: at(50),
      p90: at(90),
      p99: at(99),
      p999: at(99.9),
      maxNs: n ? h.maxValue : 0,
      minNs: n ? h.minNonZeroValue : 0,
    };
  }
}

/**
 * `h.mean` without its iterator, which steps through every sub-bucket below the maximum with
 * several calls each (a third of a short replay's time went there). Same terms, same order,
 * so the same float: each recorded index adds its median equivalent value times its count.
 */
export function meanOf(h: JsHistogram): number {
  const last = h.countsArrayIndex(h.maxValue);
  let total = 0;
  for (let i = 0; i <= last; i++) {
    const c = h.getCountAtIndex(i);
    if (c !== 0) total += h.medianEquivalentValue(h.valueFromIndex(i)) * c;
  }
  return total / h.totalCount;
}
