import { describe, expect, it } from 'vitest';
import type { CacheStats } from '../../src/cache/l2-cache.js';
import { LatencyRecorder } from '../../src/metrics/latency.js';
import { OPS, PhaseCollector, totalOf, type OpName } from '../../src/metrics/phase.js';
import { newEngineStats, type EngineStats } from '../../src/qed/stats.js';

function cacheStats(over: Partial<CacheStats> = {}): CacheStats {
  return {
    capacity: 8, policy: 'fifo', lookups: 0, hits: 0, misses: 0, loads: 0, duplicateLoads: 0, commits: 0, duplicateCommits: 0,
    evictions: 0, evictionsInUse: 0, inUseSkips: 0, entries: 0, peakEntries: 0, peakOverCapacity: 0, overCapacityEpisodes: 0,
    requestsCompletedOverCapacity: 0, ...over,
  };
}

/** A stand-in for the image: counters the test moves by hand, and a clock it sets. */
class FakeSource {
  stats: EngineStats = newEngineStats();
  cache = cacheStats();
  nowNs = 0;
  cacheStats(): CacheStats {
    return { ...this.cache };
  }
  readonly now = (): number => this.nowNs;
}

describe('PhaseCollector', () => {
  it('samples one time-series point every N requests, with the cache state and hit rate so far in the phase', () => {
    const src = new FakeSource();
    src.cache = cacheStats({ lookups: 100, hits: 90, misses: 10, entries: 3 }); // before the phase
    src.nowNs = 5_000_000;
    const c = new PhaseCollector('p', src, 10, src.now);
    for (let i = 1; i <= 95; i++) {
      src.nowNs += 1_000_000; // 1 ms per request
      src.cache.lookups += 2;
      src.cache.hits += 1;
      src.cache.misses += 1;
      src.cache.entries = 3 + (i % 5);
      c.record('read', 4096, 1000, null, i % 7);
    }
    const m = c.finish();
    expect(m.timeSeries).toHaveLength(9);
    expect(m.timeSeries.map((p) => p.requests)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(m.timeSeries[0]).toEqual({ t: 10, requests: 10, cacheEntries: 3, hitRate: 0.5, inFlight: 3 });
    expect(m.timeSeries[8]).toEqual({ t: 90, requests: 90, cacheEntries: 3, hitRate: 0.5, inFlight: 90 % 7 });
    expect(m.durationMs).toBe(95);
    expect(m.hitRate).toBe(0.5);
  });

  it('a phase of any length keeps at most 2000 points, evenly spaced over the whole phase (long traces)', () => {
    const src = new FakeSource();
    const c = new PhaseCollector('long', src, 1, src.now);
    const n = 10_001;
    for (let i = 0; i < n; i++) c.record('read', 512, 10, null, 0);
    const at = c.finish().timeSeries.map((p) => p.requests);
    expect(at.length).toBeLessThanOrEqual(2000);
    expect(at.length).toBeGreaterThan(1000);
    const step = at[0];
    expect(at).toEqual(at.map((_, i) => (i + 1) * step));
    expect(at[at.length - 1]).toBeGreaterThan(n - step);
  });

  it('sampleEvery 1 samples every request; a phase shorter than N has none', () => {
    const src = new FakeSource();
    const every = new PhaseCollector('a', src, 1, src.now);
    const never = new PhaseCollector('b', src, 1000, src.now);
    for (let i = 0; i < 17; i++) {
      every.record('write', 512, 10, null, 0);
      never.record('write', 512, 10, null, 0);
    }
    expect(every.finish().timeSeries).toHaveLength(17);
    expect(never.finish().timeSeries).toHaveLength(0);
  });

  it('counts ops, bytes of successful requests, errors by code, IOPS and MB/s per operation', () => {
    const src = new FakeSource();
    const c = new PhaseCollector('p', src, 1000, src.now);
    for (let i = 0; i < 30; i++) c.record('read', 4096, 20_000, null, 0);
    for (let i = 0; i < 10; i++) c.record('write', 65536, 100_000, i < 2 ? 'EIO' : null, 0);
    c.record('zero', 1 << 20, 50_000, 'ENOSPC', 0);
    c.record('flush', 0, 1_000_000, null, 0);
    src.nowNs = 2e9; // 2 s
    const m = c.finish();
    expect(m.requests).toBe(42);
    expect(m.ops.read).toMatchObject({ ops: 30, bytes: 30 * 4096, errors: 0, iops: 15, mbPerSec: (30 * 4096) / 1e6 / 2 });
    expect(m.ops.write).toMatchObject({ ops: 10, bytes: 8 * 65536, errors: 2, iops: 5 });
    expect(m.ops.zero).toMatchObject({ ops: 1, bytes: 0, errors: 1 });
    expect(m.ops.flush).toMatchObject({ ops: 1, bytes: 0, errors: 0 });
    expect(m.errorsByCode).toEqual({ EIO: 2, ENOSPC: 1 });
    expect(m.ops.write.latency.count).toBe(10); // failed requests have latencies too
    expect(m.ops.read.latency.p50).toBeGreaterThanOrEqual(20_000);
    expect(m.ops.read.latency.p50).toBeLessThanOrEqual(20_020);
  });

  it('reports counter deltas for the phase, peaks as they are now, and metadata per 1000 requests', () => {
    const src = new FakeSource();
    src.stats.metadataReads.l2Table.ops = 50; // before the phase
    src.stats.requests.read = 7;
    src.cache = cacheStats({ lookups: 40, hits: 30, misses: 10, loads: 10, commits: 10, evictions: 2, entries: 8, peakEntries: 8 });
    const c = new PhaseCollector('p', src, 1000, src.now);
    for (let i = 0; i < 200; i++) c.record('read', 4096, 1000, null, 0);
    src.stats.requests.read += 200;
    src.stats.metadataReads.l2Table.ops += 30;
    src.stats.metadataReads.l1.ops += 1;
    src.stats.metadataWrites.l2Sector.ops += 4;
    src.stats.metadataWrites.header.ops += 2;
    src.stats.dataReads = { ops: 150, bytes: 150 * 4096 };
    src.cache = { ...src.cache, lookups: 240, hits: 200, misses: 40, loads: 40, commits: 40, evictions: 32, entries: 8, peakEntries: 11, peakOverCapacity: 3, overCapacityEpisodes: 2, requestsCompletedOverCapacity: 9 };
    const m = c.finish();
    expect(m.engine.requests.read).toBe(200);
    expect(m.engine.metadataReads.l2Table.ops).toBe(30);
    expect(m.engine.dataReads).toEqual({ ops: 150, bytes: 150 * 4096 });
    expect(m.cache).toMatchObject({ capacity: 8, policy: 'fifo', lookups: 200, hits: 170, misses: 30, evictions: 30, entries: 8, peakEntries: 11, peakOverCapacity: 3, overCapacityEpisodes: 2 });
    expect(m.hitRate).toBeCloseTo(170 / 200, 12);
    expect(m.metadataReadsPer1000).toBe(155); // (30 + 1) per 200 requests
    expect(m.metadataWritesPer1000).toBe(30); // (4 + 2) per 200
    expect(m.peakEntries).toBe(11);
    expect(m.peakOverCapacity).toBe(3);
    expect(m.requestsCompletedOverCapacity).toBe(9);
  });
});

describe('totalOf', () => {
  it('sums phases, takes maxima of peaks, the last gauges, and the merged latency recorders', () => {
    const src = new FakeSource();
    const recorders = Object.fromEntries(OPS.map((o) => [o, new LatencyRecorder()])) as Record<OpName, LatencyRecorder>;
    const phase = (name: string, n: number, peak: number, md: number, ms: number) => {
      const start = src.nowNs;
      const c = new PhaseCollector(name, src, 1, src.now);
      for (let i = 0; i < n; i++) c.record('read', 4096, 1000 * (i + 1), null, 0);
      src.stats.metadataReads.l2Table.ops += md;
      src.cache = { ...src.cache, lookups: src.cache.lookups + n, hits: src.cache.hits + n, peakEntries: peak, entries: peak - 1 };
      src.nowNs = start + ms * 1e6;
      for (const o of OPS) recorders[o].add(c.latency(o));
      return c.finish();
    };
    const p1 = phase('one', 100, 12, 10, 100);
    const p2 = phase('two', 300, 9, 90, 300);
    const t = totalOf([p1, p2], recorders);
    expect(t).toMatchObject({ name: 'total', requests: 400, durationMs: 400, timeSeries: [] });
    expect(t.ops.read).toMatchObject({ ops: 400, bytes: 400 * 4096, iops: 1000 });
    expect(t.ops.read.latency.count).toBe(400);
    expect(t.ops.read.latency.maxNs).toBe(300_000);
    expect(t.cache.lookups).toBe(400);
    expect(t.cache.peakEntries).toBe(12);
    expect(t.cache.entries).toBe(8); // the last phase's
    expect(t.peakEntries).toBe(12);
    expect(t.engine.metadataReads.l2Table.ops).toBe(100);
    expect(t.metadataReadsPer1000).toBeCloseTo(250, 9); // 100 per 400 requests
    expect(t.hitRate).toBe(1);
  });
});
