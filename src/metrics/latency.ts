import hdr from 'hdr-histogram-js';

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
  private readonly h = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000_000,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
    bitBucketSize: 64,
  });

  record(ns: number): void {
    this.h.recordValue(Math.max(1, Math.min(Math.round(ns), 3_600_000_000_000)));
  }

  add(other: LatencyRecorder): void {
    this.h.add(other.h);
  }

  summary(): LatencySummary {
    const h = this.h;
    const n = h.totalCount;
    // HDR reports a bucket's upper edge; never show a percentile above the recorded maximum.
    const at = (p: number): number => (n ? Math.min(h.getValueAtPercentile(p), h.maxValue) : 0);
    return {
      count: n,
      meanNs: n ? Math.round(h.mean) : 0,
      p50: at(50),
      p90: at(90),
      p99: at(99),
      p999: at(99.9),
      maxNs: n ? h.maxValue : 0,
      minNs: n ? h.minNonZeroValue : 0,
    };
  }
}
