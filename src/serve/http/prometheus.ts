/** GET /metrics: the engine's cache and metadata counters and the front ends' requests, in Prometheus text format (prom-client). */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CacheStats } from '../../cache/l2-cache.js';
import type { StatsSource } from '../metrics.js';
import type { Protocol, ServeObserver, ServeOp } from '../target.js';

type CacheCounter = Exclude<keyof CacheStats, 'capacity' | 'policy' | 'entries' | 'peakEntries' | 'peakOverCapacity'>;

/** Cache counters exported as *_total, with their help text. */
const CACHE_COUNTERS: Array<[CacheCounter, string, string]> = [
  ['lookups', 'cache_lookups_total', 'L2 table lookups in the cache'],
  ['hits', 'cache_hits_total', 'L2 table lookups that found the table cached'],
  ['misses', 'cache_misses_total', 'L2 table lookups that did not find the table cached'],
  ['loads', 'cache_loads_total', 'L2 tables read from the image into the cache'],
  ['duplicateLoads', 'cache_duplicate_loads_total', 'loads of a table another request was already loading'],
  ['evictions', 'cache_evictions_total', 'tables evicted from the cache'],
  ['evictionsInUse', 'cache_evictions_in_use_total', 'tables evicted while a request still held them (only unsafe policies)'],
  ['inUseSkips', 'cache_in_use_skips_total', 'eviction candidates skipped because a request held them'],
  ['overCapacityEpisodes', 'cache_over_capacity_episodes_total', 'times the cache grew past its capacity because every entry was in use'],
];

const CACHE_GAUGES: Array<['capacity' | 'entries' | 'peakEntries' | 'peakOverCapacity', string, string]> = [
  ['capacity', 'cache_capacity', 'L2 cache capacity in tables'],
  ['entries', 'cache_entries', 'L2 tables in the cache now'],
  ['peakEntries', 'cache_peak_entries', 'most L2 tables the cache has held at once'],
  ['peakOverCapacity', 'cache_peak_over_capacity', 'most tables the cache has held beyond its capacity'],
];

/** A registry read live from the engine at each scrape, plus counters the front ends feed. */
export class PrometheusExporter implements ServeObserver {
  readonly registry = new Registry();
  private readonly requests: Counter<'protocol' | 'op'>;
  private readonly bytes: Counter<'protocol' | 'op'>;
  private readonly errors: Counter<'protocol' | 'op' | 'errno'>;
  private readonly latency: Histogram<'protocol' | 'op'>;
  private readonly connections: Gauge<'protocol'>;
  private readonly connectionsTotal: Counter<'protocol'>;
  private readonly protocolErrors: Counter<'protocol' | 'kind'>;
  private readonly inFlight: Gauge<'protocol'>;

  constructor(source: StatsSource, startedMs: number) {
    const r = this.registry;
    const name = (n: string): string => `qed_bench_${n}`;
    for (const [field, n, help] of CACHE_COUNTERS) {
      new Counter({ name: name(n), help, registers: [r], collect() {
        this.reset();
        this.inc(source.cacheStats()[field]);
      } });
    }
    for (const [field, n, help] of CACHE_GAUGES) {
      new Gauge({ name: name(n), help, registers: [r], collect() {
        this.set(source.cacheStats()[field]);
      } });
    }
    new Gauge({ name: name('cache_hit_ratio'), help: 'hits / lookups since the image was opened', registers: [r], collect() {
      const c = source.cacheStats();
      this.set(c.lookups ? c.hits / c.lookups : 0);
    } });
    const metadata = (dir: 'read' | 'write'): void => {
      new Counter({ name: name(`metadata_${dir}s_total`), help: `metadata ${dir}s by kind (header, l1, l2Table${dir === 'write' ? ', l2Sector' : ''})`, labelNames: ['kind'], registers: [r], collect() {
        this.reset();
        const m = dir === 'read' ? source.stats.metadataReads : source.stats.metadataWrites;
        for (const [kind, v] of Object.entries(m)) this.inc({ kind }, v.ops);
      } });
      new Counter({ name: name(`metadata_${dir}_bytes_total`), help: `metadata bytes ${dir === 'read' ? 'read' : 'written'} by kind`, labelNames: ['kind'], registers: [r], collect() {
        this.reset();
        const m = dir === 'read' ? source.stats.metadataReads : source.stats.metadataWrites;
        for (const [kind, v] of Object.entries(m)) this.inc({ kind }, v.bytes);
      } });
    };
    metadata('read');
    metadata('write');
    new Counter({ name: name('clusters_allocated_total'), help: 'data clusters the engine allocated', registers: [r], collect() {
      this.reset();
      this.inc(source.stats.clustersAllocated);
    } });
    new Counter({ name: name('tables_allocated_total'), help: 'L2 tables the engine allocated', registers: [r], collect() {
      this.reset();
      this.inc(source.stats.tablesAllocated);
    } });
    new Gauge({ name: name('uptime_seconds'), help: 'seconds since the serve session started', registers: [r], collect() {
      this.set((Date.now() - startedMs) / 1000);
    } });
    this.requests = new Counter({ name: name('requests_total'), help: 'client requests completed, by front end and operation', labelNames: ['protocol', 'op'], registers: [r] });
    this.bytes = new Counter({ name: name('request_bytes_total'), help: 'bytes read or written by completed client requests', labelNames: ['protocol', 'op'], registers: [r] });
    this.errors = new Counter({ name: name('request_errors_total'), help: 'client requests that failed, by errno name', labelNames: ['protocol', 'op', 'errno'], registers: [r] });
    this.latency = new Histogram({
      name: name('request_duration_seconds'),
      help: 'client request latency from receipt to reply',
      labelNames: ['protocol', 'op'],
      buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [r],
    });
    this.connections = new Gauge({ name: name('connections'), help: 'client connections open now', labelNames: ['protocol'], registers: [r] });
    this.connectionsTotal = new Counter({ name: name('connections_total'), help: 'client connections accepted', labelNames: ['protocol'], registers: [r] });
    this.protocolErrors = new Counter({ name: name('protocol_errors_total'), help: 'clients that broke the protocol or timed out, by kind', labelNames: ['protocol', 'kind'], registers: [r] });
    this.inFlight = new Gauge({ name: name('requests_in_flight'), help: 'client requests received and not yet answered', labelNames: ['protocol'], registers: [r] });
    for (const p of ['nbd', 'http'] as const) {
      this.connections.set({ protocol: p }, 0);
      this.connectionsTotal.inc({ protocol: p }, 0);
      this.inFlight.set({ protocol: p }, 0);
    }
  }

  connectionOpened(p: Protocol): void {
    this.connections.inc({ protocol: p });
    this.connectionsTotal.inc({ protocol: p });
  }

  connectionClosed(p: Protocol): void {
    this.connections.dec({ protocol: p });
  }

  requestStarted(p: Protocol): void {
    this.inFlight.inc({ protocol: p });
  }

  requestDone(p: Protocol, op: ServeOp, bytes: number, latencyNs: number, error: string | null): void {
    this.inFlight.dec({ protocol: p });
    this.requests.inc({ protocol: p, op });
    if (bytes) this.bytes.inc({ protocol: p, op }, bytes);
    if (error) this.errors.inc({ protocol: p, op, errno: error });
    this.latency.observe({ protocol: p, op }, latencyNs / 1e9);
  }

  protocolError(p: Protocol, kind: string): void {
    this.protocolErrors.inc({ protocol: p, kind });
  }
}
