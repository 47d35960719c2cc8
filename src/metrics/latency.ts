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

/**
 * A fixed-size HDR histogram of latencies in ns (1 ns .. 1 hour, 3 significant digits), so
 * memory stays bounded however long the replay.
 */
export class LatencyRecorder {
  // What hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 1 h, 3 digits, autoResize: false, bitBucketSize: 64 }) makes.
  private readonly h = new Float64Histogram(1, 3_600_000_000_000, 3);

  /**
   * Equal values recorded in a row, not yet in the histogram: under the virtual clock most
   * requests that need no I/O take 0 ns, and one histogram update per run of them costs less than
   * one per request (same counts, so the same histogram).
   */
  private runValue = 0;
  private runCount = 0;

  record(ns: number): void {
    const v = Math.max(1, Math.min(Math.round(ns), 3_600_000_000_000));
    if (v === this.runValue) {
      this.runCount++;
      return;
    }
    this.flushRun();
    this.runValue = v;
    this.runCount = 1;
  }

  /**
   * hdr-histogram-js finds a value's slot with Math.log2, Math.pow and a division (a good share
   * of the replay loop's own cost per request); below 2^31 ns (2.1 s) this finds the same slot
   * in integer steps and records it the way recordValueWithCount does. Larger values take the library's path.
   */
  private flushRun(): void {
    const count = this.runCount;
    if (count === 0) return;
    this.runCount = 0;
    const v = this.runValue;
    const h = this.h;
    if (v < 2 ** 31) {
      const bucket = Math.max(31 - Math.clz32(v) - h.subBucketHalfCountMagnitude - h.unitMagnitude, 0);
      const index = bucket * h.subBucketHalfCount + (v >>> (bucket + h.unitMagnitude));
      if (index < h.countsArrayLength) {
        h.addToCountAtIndex(index, count);
        h.updateMinAndMax(v);
        h.addToTotalCount(count);
        return;
      }
    }
    h.recordValueWithCount(v, count);
  }

  add(other: LatencyRecorder): void {
    this.flushRun();
    other.flushRun();
    this.h.add(other.h);
  }

  summary(): LatencySummary {
    this.flushRun();
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
