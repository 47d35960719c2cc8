/** What a serve session counts: requests, bytes, errors and latency by op, connections, protocol errors; the session's phase for the results file. */
import type { CacheStats } from '../cache/l2-cache.js';
import { LatencyRecorder, type LatencySummary } from '../metrics/latency.js';
import { PhaseCollector, type OpName } from '../metrics/phase.js';
import type { EngineStats } from '../qed/stats.js';
import { SERVE_OPS, type Protocol, type ServeObserver, type ServeOp } from './target.js';

/** The engine's public counters (QedImage has both). */
export interface StatsSource {
  readonly stats: EngineStats;
  cacheStats(): CacheStats;
}

export interface OpCounts {
  requests: number;
  bytes: number;
  errors: number;
  latency: LatencySummary;
}

export interface ServeCounts {
  connections: Record<Protocol, { open: number; total: number }>;
  ops: Record<ServeOp, OpCounts>;
  errorsByCode: Record<string, number>;
  protocolErrors: Record<string, number>;
}

/** Recent protocol errors kept for /status (the log gets every one). */
const RECENT = 20;

/**
 * The observer both front ends report to. NBD requests also feed a PhaseCollector, so the
 * session's results file has the clients' requests as its one phase, as `run` has its jobs'.
 * HTTP disk requests count here but not in the phase (they are not block-device clients).
 */
export class ServeMetrics implements ServeObserver {
  private readonly ops = Object.fromEntries(SERVE_OPS.map((o) => [o, { requests: 0, bytes: 0, errors: 0, latency: new LatencyRecorder() }])) as Record<
    ServeOp,
    { requests: number; bytes: number; errors: number; latency: LatencyRecorder }
  >;
  private readonly conns: ServeCounts['connections'] = { nbd: { open: 0, total: 0 }, http: { open: 0, total: 0 } };
  private readonly errorsByCode: Record<string, number> = {};
  private readonly protocolErrors: Record<string, number> = {};
  readonly recentProtocolErrors: string[] = [];
  readonly phase: PhaseCollector;
  private inFlight = 0;
  /** Extra observers (the Prometheus exporter, a log). */
  readonly listeners: ServeObserver[] = [];

  constructor(source: StatsSource) {
    this.phase = new PhaseCollector('clients', source, 1000, () => Number(process.hrtime.bigint()));
  }

  connectionOpened(p: Protocol): void {
    this.conns[p].open++;
    this.conns[p].total++;
    for (const l of this.listeners) l.connectionOpened(p);
  }

  connectionClosed(p: Protocol): void {
    this.conns[p].open--;
    for (const l of this.listeners) l.connectionClosed(p);
  }

  requestStarted(p: Protocol): void {
    this.inFlight++;
    for (const l of this.listeners) l.requestStarted(p);
  }

  requestDone(p: Protocol, op: ServeOp, bytes: number, latencyNs: number, error: string | null): void {
    this.inFlight--;
    const o = this.ops[op];
    o.requests++;
    o.bytes += bytes;
    o.latency.record(latencyNs);
    if (error) {
      o.errors++;
      this.errorsByCode[error] = (this.errorsByCode[error] ?? 0) + 1;
    }
    if (p === 'nbd' && op !== 'trim' && op !== 'other') this.phase.record(op as OpName, bytes, latencyNs, error, this.inFlight);
    for (const l of this.listeners) l.requestDone(p, op, bytes, latencyNs, error);
  }

  protocolError(p: Protocol, kind: string, detail: string): void {
    this.protocolErrors[kind] = (this.protocolErrors[kind] ?? 0) + 1;
    this.recentProtocolErrors.push(`${new Date().toISOString()} ${p} ${kind}: ${detail}`);
    if (this.recentProtocolErrors.length > RECENT) this.recentProtocolErrors.shift();
    for (const l of this.listeners) l.protocolError(p, kind, detail);
  }

  counts(): ServeCounts {
    return {
      connections: structuredClone(this.conns),
      ops: Object.fromEntries(SERVE_OPS.map((o) => {
        const a = this.ops[o];
        return [o, { requests: a.requests, bytes: a.bytes, errors: a.errors, latency: a.latency.summary() }];
      })) as Record<ServeOp, OpCounts>,
      errorsByCode: { ...this.errorsByCode },
      protocolErrors: { ...this.protocolErrors },
    };
  }
}
