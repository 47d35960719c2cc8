/** GET /status: the same counters as /metrics as one JSON document, with the configuration and uptime. */
import type { ServeMetrics, StatsSource } from '../metrics.js';

export function statusJson(source: StatsSource, metrics: ServeMetrics, config: Record<string, unknown>, startedMs: number): Record<string, unknown> {
  const cache = source.cacheStats();
  const e = source.stats;
  const sum = (m: Record<string, { ops: number }>): number => Object.values(m).reduce((s, v) => s + v.ops, 0);
  return {
    uptimeSeconds: (Date.now() - startedMs) / 1000,
    config,
    cache: { ...cache, hitRate: cache.lookups ? cache.hits / cache.lookups : 0 },
    metadata: { reads: e.metadataReads, writes: e.metadataWrites, readOps: sum(e.metadataReads), writeOps: sum(e.metadataWrites) },
    engine: e,
    clients: metrics.counts(),
    recentProtocolErrors: metrics.recentProtocolErrors,
  };
}
