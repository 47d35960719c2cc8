/** What is measured per phase and for the whole run: ops, latency, cache, engine, time series. */
import type { CacheStats } from '../cache/l2-cache.js';
import type { EngineStats } from '../qed/stats.js';
import type { IoRequest } from '../workload/types.js';
import { diffCounters, snapshot, sumCounters } from './counters.js';
import { LatencyRecorder, type LatencySummary } from './latency.js';

export type OpName = IoRequest['op'];
export const OPS: OpName[] = ['read', 'write', 'zero', 'flush'];

export interface OpMetrics {
  ops: number;
  bytes: number;
  errors: number;
  iops: number;
  mbPerSec: number;
  latency: LatencySummary;
}

export interface TimePoint {
  /** Milliseconds since the phase started. */
  t: number;
  requests: number;
  cacheEntries: number;
  hitRate: number;
  inFlight: number;
}

/** Everything measured for one phase (or the whole run): names as in docs/design.md. */
export interface PhaseMetrics {
  name: string;
  durationMs: number;
  requests: number;
  ops: Record<OpName, OpMetrics>;
  errorsByCode: Record<string, number>;
  hitRate: number;
  metadataReadsPer1000: number;
  metadataWritesPer1000: number;
  peakEntries: number;
  peakOverCapacity: number;
  requestsCompletedOverCapacity: number;
  cache: CacheStats;
  engine: EngineStats;
  timeSeries: TimePoint[];
}

interface OpAccumulator {
  ops: number;
  bytes: number;
  errors: number;
  latency: LatencyRecorder;
}

/** Most time-series points a phase keeps. */
const MAX_POINTS = 2000;

/** Collects one phase: per-op counts and latencies, counter deltas, and a sampled time series. */
export class PhaseCollector {
  private readonly startNs: number;
  private readonly engine0: EngineStats;
  private readonly cache0: CacheStats;
  private readonly acc = Object.fromEntries(OPS.map((o) => [o, newAcc()])) as Record<OpName, OpAccumulator>;
  private readonly errors: Record<string, number> = {};
  private readonly series: TimePoint[] = [];
  private requests = 0;
  /** Requests until the next time-series point (a count down: no division per request). */
  private untilSample: number;
  /** Points wait for settle() to take their instantaneous values (see settleSamplesLater). */
  private settleLater = false;

  constructor(
    readonly name: string,
    private readonly source: { stats: EngineStats; cacheStats(): CacheStats },
    private sampleEvery: number,
    /** Nanoseconds: real time, or the deterministic scheduler's virtual time. */
    private readonly now: () => number,
  ) {
    this.untilSample = sampleEvery;
    this.startNs = now();
    this.engine0 = snapshot(source.stats);
    this.cache0 = source.cacheStats();
  }

  /** One request completed (or failed with `errorCode`). */
  record(op: OpName, bytes: number, latencyNs: number, errorCode: string | null, inFlight: number): void {
    const a = this.acc[op];
    a.ops++;
    if (errorCode) {
      a.errors++;
      this.errors[errorCode] = (this.errors[errorCode] ?? 0) + 1;
    } else {
      a.bytes += bytes;
    }
    a.latency.record(latencyNs);
    this.requests++;
    if (--this.untilSample === 0) this.sample(inFlight);
  }

  /** An error outside any request (the phase's closing flush), counted by code only. */
  countError(errorCode: string): void {
    this.errors[errorCode] = (this.errors[errorCode] ?? 0) + 1;
  }

  /**
   * Under the deterministic scheduler: a point's cache entries, hit rate and requests in flight are
   * taken at the next settle(), which the runner calls when the scheduler steps. Several promise
   * chains run between two steps, and how far the others got when one request completed follows
   * from their microtask hops; when the step runs, every chain has settled. The point's time and
   * request count are those of the completion that was due a point (the clock stands between steps).
   */
  settleSamplesLater(): void {
    this.settleLater = true;
  }

  /** Fill in the points waiting for their instantaneous values (see settleSamplesLater). */
  settle(inFlight: number): void {
    const series = this.series;
    for (let i = series.length - 1; i >= 0 && series[i].cacheEntries < 0; i--) this.fill(series[i], inFlight);
  }

  /** This phase's latency histogram for one operation (to merge into the run's total). */
  latency(op: OpName): LatencyRecorder {
    return this.acc[op].latency;
  }

  finish(): PhaseMetrics {
    this.settle(0);
    const durationMs = (this.now() - this.startNs) / 1e6;
    const engine = diffCounters(snapshot(this.source.stats), this.engine0);
    const cacheNow = this.source.cacheStats();
    const cache = { ...diffCounters(cacheNow, this.cache0), ...peaksOf(cacheNow) };
    const per1000 = (n: number): number => (this.requests ? (n * 1000) / this.requests : 0);
    const mr = engine.metadataReads;
    const mw = engine.metadataWrites;
    return {
      name: this.name,
      durationMs,
      requests: this.requests,
      ops: Object.fromEntries(OPS.map((o) => [o, opMetrics(this.acc[o], durationMs)])) as Record<OpName, OpMetrics>,
      errorsByCode: { ...this.errors },
      hitRate: cache.lookups ? cache.hits / cache.lookups : 0,
      metadataReadsPer1000: per1000(mr.l1.ops + mr.l2Table.ops + mr.header.ops),
      metadataWritesPer1000: per1000(mw.l1.ops + mw.l2Table.ops + mw.l2Sector.ops + mw.header.ops),
      peakEntries: cache.peakEntries,
      peakOverCapacity: cache.peakOverCapacity,
      requestsCompletedOverCapacity: cache.requestsCompletedOverCapacity,
      cache,
      engine,
      timeSeries: this.series,
    };
  }

  /** At every multiple of sampleEvery requests. */
  private sample(inFlight: number): void {
    // Bounded whatever the phase's length (a long trace): at the cap, keep every other point and sample half as often.
    if (this.series.length >= MAX_POINTS) {
      let k = 0;
      for (let i = 1; i < this.series.length; i += 2) this.series[k++] = this.series[i];
      this.series.length = k;
      this.sampleEvery *= 2;
    }
    this.untilSample = this.sampleEvery - (this.requests % this.sampleEvery);
    if (this.untilSample !== this.sampleEvery) return;
    const p: TimePoint = { t: (this.now() - this.startNs) / 1e6, requests: this.requests, cacheEntries: -1, hitRate: 0, inFlight: 0 };
    this.series.push(p);
    if (!this.settleLater) this.fill(p, inFlight);
  }

  private fill(p: TimePoint, inFlight: number): void {
    const c = this.source.cacheStats();
    const lookups = c.lookups - this.cache0.lookups;
    p.cacheEntries = c.entries;
    p.hitRate = lookups ? (c.hits - this.cache0.hits) / lookups : 0;
    p.inFlight = inFlight;
  }
}

/** Whole-run metrics from phase metrics: sums, merged latency, maxima of peaks. */
export function totalOf(phases: PhaseMetrics[], latencies: Record<OpName, LatencyRecorder>): PhaseMetrics {
  const sum = (f: (p: PhaseMetrics) => number): number => phases.reduce((s, p) => s + f(p), 0);
  const durationMs = sum((p) => p.durationMs);
  const requests = sum((p) => p.requests);
  const cache = phases.map((p) => p.cache).reduce((a, b) => ({ ...sumCounters(a, b), ...maxPeaks(a, b) }));
  const engine = phases.map((p) => p.engine).reduce(sumCounters);
  const errorsByCode: Record<string, number> = {};
  for (const p of phases) for (const [k, v] of Object.entries(p.errorsByCode)) errorsByCode[k] = (errorsByCode[k] ?? 0) + v;
  const ops = Object.fromEntries(
    OPS.map((o) => {
      const acc = { ops: sum((p) => p.ops[o].ops), bytes: sum((p) => p.ops[o].bytes), errors: sum((p) => p.ops[o].errors), latency: latencies[o] };
      return [o, opMetrics(acc, durationMs)];
    }),
  ) as Record<OpName, OpMetrics>;
  const per1000 = (n: number): number => (requests ? (n * 1000) / requests : 0);
  return {
    name: 'total',
    durationMs,
    requests,
    ops,
    errorsByCode,
    hitRate: cache.lookups ? cache.hits / cache.lookups : 0,
    metadataReadsPer1000: per1000(sum((p) => (p.metadataReadsPer1000 * p.requests) / 1000)),
    metadataWritesPer1000: per1000(sum((p) => (p.metadataWritesPer1000 * p.requests) / 1000)),
    peakEntries: cache.peakEntries,
    peakOverCapacity: cache.peakOverCapacity,
    requestsCompletedOverCapacity: cache.requestsCompletedOverCapacity,
    cache,
    engine,
    timeSeries: [],
  };
}

function newAcc(): OpAccumulator {
  return { ops: 0, bytes: 0, errors: 0, latency: new LatencyRecorder() };
}

function opMetrics(a: OpAccumulator, durationMs: number): OpMetrics {
  const s = durationMs / 1000;
  return {
    ops: a.ops,
    bytes: a.bytes,
    errors: a.errors,
    iops: s > 0 ? a.ops / s : 0,
    mbPerSec: s > 0 ? a.bytes / 1e6 / s : 0,
    latency: a.latency.summary(),
  };
}

/** Gauges and peaks are not differences: take them as they are now. */
function peaksOf(c: CacheStats): Pick<CacheStats, 'capacity' | 'policy' | 'entries' | 'peakEntries' | 'peakOverCapacity'> {
  return { capacity: c.capacity, policy: c.policy, entries: c.entries, peakEntries: c.peakEntries, peakOverCapacity: c.peakOverCapacity };
}

function maxPeaks(a: CacheStats, b: CacheStats): Partial<CacheStats> {
  return { ...peaksOf(b), peakEntries: Math.max(a.peakEntries, b.peakEntries), peakOverCapacity: Math.max(a.peakOverCapacity, b.peakOverCapacity) };
}
