/**
 * Cache-only sweeps, as libCacheSim's cachesim: a stream of table ids (a `.tables` file from
 * trace-export or any one-id-per-line file, libCacheSim's oracleGeneral with obj_id as the id,
 * or a block trace mapped to the L2 tables each request spans) run through one cache per size ×
 * policy, without the engine, in one pass over the file. Written as a sweep results file so
 * `report` and `compare` read it; each run's counters are its cache's, and every table miss is
 * counted as one metadata read. Its lookups are one per (request, table) pair, where the
 * engine's are one per run of clusters it resolves (docs/traces.md: why their hit rates differ).
 */
import { L2Cache } from '../cache/l2-cache.js';
import { createPolicy, type PolicyName } from '../cache/policies/index.js';
import { lookupOrInsert } from '../cache/simulate.js';
import { environment, gitCommit } from '../metrics/env.js';
import { LatencyRecorder } from '../metrics/latency.js';
import { OPS, type OpName, type PhaseMetrics } from '../metrics/phase.js';
import { RESULTS_SCHEMA, toolVersion, workloadHash, type RunResults } from '../metrics/results.js';
import { CACHE_ONLY_SUFFIX, SWEEP_SCHEMA, type SweepResults } from '../metrics/sweep-results.js';
import { Geometry } from '../qed/format.js';
import { newEngineStats } from '../qed/stats.js';
import { FLUSH } from '../workload/traces/batch.js';
import { forEachTableKey } from '../workload/traces/footprint.js';
import { TraceReader, type TraceOpenOptions, type TraceReadSummary } from '../workload/traces/reader.js';
import { TraceError } from '../workload/traces/types.js';
import type { Workload } from '../workload/types.js';
import { readTableTraceBatches } from '../cache/table-trace.js';
import { emptyIntegrityReport } from '../replay/shadow.js';

export interface CacheOnlySpec {
  file: string;
  /** tables: one id per line; trace: a block trace (oracleGeneral: obj_id is the id). */
  kind: 'tables' | 'trace';
  /**
   * device: only this one's requests. Otherwise `apart` keeps devices apart as separate disks
   * (as `run --device all`, a region each); without it every device's requests address one
   * disk at their own offsets, as the engine's default job replays them (`run TRACE`).
   */
  trace?: TraceOpenOptions & { device?: string; apart?: boolean; clusterSize: number; tableSize: number };
  sizes: number[];
  policies: string[];
}

/** Ids gathered from a block trace before they go to the caches together. */
const BATCH = 65536;

/**
 * Every table id of the input, in order, in batches (`ids[0, n)`, a buffer reused for the next
 * batch): the caches then run over plain numbers, each cache over the whole batch in turn.
 */
async function forEachBatch(spec: CacheOnlySpec, onBatch: (ids: Float64Array, n: number) => void): Promise<TraceReadSummary | null> {
  if (spec.kind === 'tables') {
    await readTableTraceBatches(spec.file, onBatch);
    return null;
  }
  const ids = new Float64Array(BATCH);
  let n = 0;
  let total = 0;
  const onTable = (id: number): void => {
    total++;
    ids[n++] = id;
    if (n === BATCH) {
      onBatch(ids, n);
      n = 0;
    }
  };
  const t = spec.trace!;
  const reader = new TraceReader(spec.file, { ...t, hash: true });
  const objects = reader.format.name === 'oracle-general';
  const span = new Geometry(t.clusterSize, t.tableSize).l2Span;
  const only = t.device === undefined ? -1 : reader.devices.id(t.device);
  const apart = t.device === undefined && (t.apart ?? false);
  for await (const b of reader.columns()) {
    for (let i = 0; i < b.n; i++) {
      if (only >= 0 && b.device[i] !== only) continue;
      if (objects) {
        onTable(b.offset[i]);
        continue;
      }
      if (b.op[i] === FLUSH || b.length[i] === 0) continue;
      forEachTableKey(apart ? b.device[i] : 0, b.offset[i], b.length[i], span, onTable);
    }
  }
  if (n > 0) onBatch(ids, n);
  if (total === 0) throw new TraceError(spec.file, `${t.device === undefined ? 'no requests' : `no requests for device "${t.device}"`}; nothing to replay`);
  return reader.summary();
}

export async function cacheOnlySweep(spec: CacheOnlySpec): Promise<SweepResults> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const cells = spec.sizes.flatMap((size) => spec.policies.map((policy) => ({ size, policy, cache: new L2Cache<object>(size, createPolicy(policy)) })));
  const caches = cells.map((c) => c.cache);
  const table = {};
  const summary = await forEachBatch(spec, (ids, n) => {
    for (const cache of caches) for (let i = 0; i < n; i++) lookupOrInsert(cache, ids[i], table);
  });
  const elapsedMs = performance.now() - started;
  const finishedAt = new Date().toISOString();
  const name = spec.file.replace(/^.*\//, '');
  return {
    schema: SWEEP_SCHEMA,
    tool: { name: 'qed-bench', version: toolVersion(), gitCommit: gitCommit() },
    environment: environment(),
    sweep: { workload: `${name}${CACHE_ONLY_SUFFIX}`, file: spec.file, set: [], sizes: spec.sizes, policies: spec.policies, shards: null, timing: 'deterministic', jobs: 1, elapsedMs, status: 'completed' },
    runs: cells.map((c) => ({ size: c.size, policy: c.policy, results: cellResults(spec, name, c.cache, elapsedMs, startedAt, finishedAt, summary) })),
  };
}

function cellResults(spec: CacheOnlySpec, name: string, cache: L2Cache<object>, durationMs: number, startedAt: string, finishedAt: string, trace: TraceReadSummary | null): RunResults {
  const stats = cache.stats();
  const engine = newEngineStats();
  engine.metadataReads.l2Table.ops = stats.misses;
  const latency = new LatencyRecorder().summary();
  const ops = Object.fromEntries(OPS.map((o) => [o, { ops: 0, bytes: 0, errors: 0, iops: 0, mbPerSec: 0, latency }])) as Record<OpName, PhaseMetrics['ops'][OpName]>;
  const phase: PhaseMetrics = {
    name: 'cache-only',
    durationMs,
    requests: stats.lookups,
    ops,
    errorsByCode: {},
    hitRate: stats.lookups ? stats.hits / stats.lookups : 0,
    metadataReadsPer1000: stats.lookups ? (stats.misses * 1000) / stats.lookups : 0,
    metadataWritesPer1000: 0,
    peakEntries: stats.peakEntries,
    peakOverCapacity: stats.peakOverCapacity,
    requestsCompletedOverCapacity: 0,
    cache: stats,
    engine,
    timeSeries: [],
  };
  const w: Workload = {
    name: `${name}${CACHE_ONLY_SUFFIX}`,
    description: `cache-only replay of the ${spec.kind === 'tables' ? 'table stream' : `${trace?.format} trace`} ${spec.file}: every id a lookup, no engine`,
    source: spec.file,
    seed: 0,
    image: { path: null, size: 0, clusterSize: spec.trace?.clusterSize ?? 0, tableSize: spec.trace?.tableSize ?? 0, backing: null, keep: false },
    cache: { size: stats.capacity, policy: stats.policy as PolicyName }, // the cache was made from a spec.policies name
    engine: { allocation: 'serial' },
    scheduler: { mode: 'deterministic', seed: 0, reorder: 0, latency: { read: { kind: 'constant', us: 0 }, write: { kind: 'constant', us: 0 }, flush: { kind: 'constant', us: 0 } }, faults: [], powerCut: null },
    phases: [],
  };
  return {
    schema: RESULTS_SCHEMA,
    tool: { name: 'qed-bench', version: toolVersion(), gitCommit: gitCommit() },
    environment: environment(),
    workload: { ...w, hash: workloadHash(w) },
    status: 'completed',
    startedAt,
    finishedAt,
    image: { path: '(none: cache only)', created: false, kept: false, fileBytes: 0, io: null },
    phases: [phase],
    total: { ...phase, name: 'total' },
    timing: 'virtual',
    scheduler: null,
    integrity: { ...emptyIntegrityReport('skipped'), check: null, qemuCheck: null },
    recovery: null,
    mrc: null,
    ...(trace ? { traces: [{ ...trace, job: 'cache-only', device: spec.trace?.device ?? null, fit: 'error' as const, replayed: trace.requests, otherDevices: 0, fitted: 0 }] } : {}),
  };
}
