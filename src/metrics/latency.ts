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
    return {
      count: n,
      meanNs: n ? Math.round(h.mean) : 0,
      p50: n ? h.getValueAtPercentile(50) : 0,
      p90: n ? h.getValueAtPercentile(90) : 0,
      p99: n ? h.getValueAtPercentile(99) : 0,
      p999: n ? h.getValueAtPercentile(99.9) : 0,
      maxNs: n ? h.maxValue : 0,
      minNs: n ? h.minNonZeroValue : 0,
    };
  }
}
