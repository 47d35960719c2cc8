/**
 * bench:sim: lookups per second of the L2 cache alone (no engine, no I/O) for every eviction
 * policy, on two seeded table-access streams:
 *   zipf      zipf(θ) over the image's tables (hot tables scattered over the table range);
 *   scan-mix  each access is, with even odds, a draw from that zipf stream or the next table of
 *             a sequential scan over many other tables (one-touch tables that pollute LRU).
 * Every access is what a request does to the cache: find → on a miss alloc, commit, acquire →
 * unref. Each (policy, repetition) runs in its own worker thread, so the cache's call sites see
 * one policy class, as in a real run; the policy order rotates between repetitions. The table
 * shows the median of the repetitions; hit rates are deterministic (checked equal across runs).
 * A first row, "(Map.get alone)", times one Map lookup per access on a Map of `capacity` tables:
 * the floor of any cache, and a yardstick for how fast (or how busy) the machine is.
 *
 * Then, on each stream at `--curve-accesses` (10 M) accesses, in a worker per repetition:
 *   - one LRU replay of the stream through the cache, and the exact one-pass miss-ratio curve of
 *     the same stream (every size at once): both times and their ratio (target: curve < 2×);
 *     the curve at `capacity` must equal the replay's miss ratio, or the bench fails;
 *   - the SHARDS curve at rate `--shards-rate` (0.01): its time, and the error against the exact
 *     curve over every size 1..distinct tables (max and mean) and the max over sizes ≥ 1/R (a
 *     sample of rate R cannot resolve smaller caches: a sampled distance of 1 is 1/R tables) of
 *     three SHARDS variants: plain (÷ sampled lookups), adjusted (SHARDS_adj, what qed-bench
 *     uses) and fixed-size with at most `--shards-max` (1000) sampled keys;
 * and a deterministic metadata-only replay (METADATA_REPLAY below: 4 KiB zipf reads over 128
 * small L2 tables, cache of `capacity`) in memory under the deterministic scheduler, verification
 * off: requests and cache lookups per second of wall time from opening the image to the end of
 * the last phase (the image check after it excluded). Then the engine case, full replays
 * in memory with verification on and off: 4 KiB zipf(1.1) reads over 100 default-geometry tables
 * (every miss reads a 256 KiB table), `--zipf-ops` requests (the figure is at 1 M).
 *
 *   npm run bench:sim -- [--accesses 2000000] [--reps 3] [--capacity 50] [--tables 1000]
 *                        [--theta 1.2] [--scan-tables 100000] [--curve-accesses 10000000]
 *                        [--shards-rate 0.01] [--shards-max 1000] [--replay-ops 50000] [--zipf-ops 200000]
 *                        [--skip-curve] [--json]
 */
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { L2Cache } from '../src/cache/l2-cache.js';
import { lookupOrInsert } from '../src/cache/simulate.js';
import { LruStackDistances } from '../src/cache/mrc.js';
import { createPolicy, POLICY_NAMES } from '../src/cache/policies/index.js';
import { FixedSizeShards, ShardsCurve } from '../src/cache/shards.js';
import { table } from '../src/report/text-table.js';
import { runWorkload } from '../src/replay/runner.js';
import { parseWorkload } from '../src/workload/load.js';
import { Rng } from '../src/util/random.js';
import { Scatter, zipfRanks } from '../src/workload/distributions.js';
import { inFreshWorker } from './lib/fresh-worker.js';

/** Bytes between L2 tables: QED's default table of 4 clusters of 64 KiB. */
const TABLE_SPAN = 4 * 65536;
const STREAMS = ['zipf', 'scan-mix'] as const;
/** Pseudo-policy: a bare Map lookup per access. */
const BASELINE = '(Map.get alone)';
type StreamName = (typeof STREAMS)[number];

interface Options {
  accesses: number;
  reps: number;
  capacity: number;
  tables: number;
  theta: number;
  scanTables: number;
  curveAccesses: number;
  shardsRate: number;
  shardsMax: number;
  replayOps: number;
  zipfOps: number;
  skipCurve: boolean;
  json: boolean;
}

/** A worker's task: one policy over every stream, the curves over every stream, or the replay. */
type Job =
  | { task: 'policy'; policy: string; capacity: number; streams: Record<StreamName, SharedArrayBuffer> }
  | { task: 'curve'; capacity: number; shardsRate: number; shardsMax: number; streams: Record<StreamName, SharedArrayBuffer> }
  | { task: 'replay'; shape: ReplayShape; ops: number; capacity: number; verify: boolean; store: 'full' | 'metadata' };

interface CurveSample {
  stream: StreamName;
  accesses: number;
  distinct: number;
  lruNs: number;
  curveNs: number;
  shardsNs: number;
  shardsErrors: ShardsError[];
  missRatioAtCapacity: number;
}

/** One SHARDS variant's error against the exact curve over sizes 1..distinct, and over sizes ≥ 1/R. */
interface ShardsError {
  variant: string;
  /** The rate at the end (the fixed-size variant lowers it as keys arrive) and the keys held. */
  rate: number;
  keys: number;
  maxError: number;
  meanError: number;
  maxErrorResolved: number;
}

interface ReplaySample {
  requests: number;
  lookups: number;
  ns: number;
}

interface Sample {
  stream: StreamName;
  ns: number;
  lookups: number;
  hits: number;
  evictions: number;
}

// ---------------------------------------------------------------------------------------------
// Streams: table offsets in a shared Float64Array, built once by the main thread.

function buildStreams(o: Options, accesses: number): Record<StreamName, SharedArrayBuffer> {
  const make = (fill: (out: Float64Array) => void): SharedArrayBuffer => {
    const sab = new SharedArrayBuffer(accesses * 8);
    fill(new Float64Array(sab));
    return sab;
  };
  const zipf = zipfRanks(o.tables, o.theta);
  const scatter = new Scatter(o.tables);
  return {
    zipf: make((out) => {
      const rng = new Rng(1, 1);
      for (let i = 0; i < out.length; i++) out[i] = scatter.map(zipf.next(rng)) * TABLE_SPAN;
    }),
    'scan-mix': make((out) => {
      const rng = new Rng(1, 2);
      let scan = 0;
      for (let i = 0; i < out.length; i++) {
        if (rng.below(2) === 0) {
          out[i] = scatter.map(zipf.next(rng)) * TABLE_SPAN;
        } else {
          out[i] = (o.tables + scan) * TABLE_SPAN;
          scan = scan + 1 === o.scanTables ? 0 : scan + 1;
        }
      }
    }),
  };
}

// ---------------------------------------------------------------------------------------------
// Worker: one policy, every stream, one timed pass each after a warm-up.

function replay(policy: string, capacity: number, stream: Float64Array): { ns: number; cache: L2Cache<object> } {
  const cache = new L2Cache<object>(capacity, createPolicy(policy));
  const table = {};
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < stream.length; i++) lookupOrInsert(cache, stream[i], table);
  return { ns: Number(process.hrtime.bigint() - t0), cache };
}

/** One Map.get per access on a Map of the first `capacity` distinct tables of the stream. */
function baseline(capacity: number, stream: Float64Array): { ns: number; hits: number } {
  const map = new Map<number, object>();
  for (let i = 0; i < stream.length && map.size < capacity; i++) map.set(stream[i], {});
  let hits = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < stream.length; i++) if (map.get(stream[i]) !== undefined) hits++;
  return { ns: Number(process.hrtime.bigint() - t0), hits };
}

/** Time `fn` in ns. */
function timed<T>(fn: () => T): { ns: number; value: T } {
  const t0 = process.hrtime.bigint();
  const value = fn();
  return { ns: Number(process.hrtime.bigint() - t0), value };
}

function exactCurve(stream: Float64Array): LruStackDistances {
  const sd = new LruStackDistances();
  for (let i = 0; i < stream.length; i++) sd.access(stream[i]);
  return sd;
}

function shardsCurve<T extends { access(key: number): void }>(stream: Float64Array, s: T): T {
  for (let i = 0; i < stream.length; i++) s.access(stream[i]);
  return s;
}

/** Error of `est` (sizes 1..distinct) against the exact `curve` (index = size). */
function shardsError(variant: string, s: ShardsCurve | FixedSizeShards, curve: Float64Array, distinct: number): ShardsError {
  const est = s.missRatios(Array.from({ length: distinct }, (_, i) => i + 1));
  const resolvedFrom = Math.ceil(1 / s.sampleRate);
  let max = 0;
  let sum = 0;
  let maxResolved = 0;
  for (let c = 1; c <= distinct; c++) {
    const e = Math.abs(est[c - 1] - curve[c]);
    sum += e;
    if (e > max) max = e;
    if (c >= resolvedFrom && e > maxResolved) maxResolved = e;
  }
  return { variant, rate: s.sampleRate, keys: s.sampledKeys, maxError: max, meanError: sum / distinct, maxErrorResolved: maxResolved };
}

/** One LRU replay, the exact curve and the SHARDS curve of each stream; each after a warm-up. */
function runCurves(job: Extract<Job, { task: 'curve' }>): CurveSample[] {
  const streams = STREAMS.map((name) => ({ name, data: new Float64Array(job.streams[name]) }));
  for (const s of streams) {
    const slice = s.data.subarray(0, Math.min(s.data.length, 300_000));
    replay('lru', job.capacity, slice);
    exactCurve(slice);
    shardsCurve(slice, new ShardsCurve(job.shardsRate));
  }
  return streams.map(({ name, data }) => {
    const lru = replay('lru', job.capacity, data);
    const exact = timed(() => exactCurve(data));
    const shards = timed(() => shardsCurve(data, new ShardsCurve(job.shardsRate)));
    const st = lru.cache.stats();
    const distinct = exact.value.distinctKeys;
    const curve = exact.value.curve(distinct);
    // The one-pass curve must agree with the replay it is timed against.
    const missRatio = exact.value.missRatios([job.capacity])[0];
    if (Math.abs(missRatio * st.lookups - st.misses) > 1e-6 * st.lookups) {
      throw new Error(`${name}: exact curve at ${job.capacity} gives miss ratio ${missRatio}, the LRU replay ${st.misses / st.lookups}`);
    }
    const shardsErrors = [
      shardsError(`plain R=${job.shardsRate}`, shardsCurve(data, new ShardsCurve(job.shardsRate, { adjust: false })), curve, distinct),
      shardsError(`adjusted R=${job.shardsRate}`, shards.value, curve, distinct),
      shardsError(`fixed-size s_max=${job.shardsMax}`, shardsCurve(data, new FixedSizeShards(job.shardsMax)), curve, distinct),
    ];
    return {
      stream: name,
      accesses: data.length,
      distinct,
      lruNs: lru.ns,
      curveNs: exact.ns,
      shardsNs: shards.ns,
      shardsErrors,
      missRatioAtCapacity: missRatio,
    };
  });
}

/** A write to each of `tables` tables (`stride` apart), then 4 KiB zipf(1.1) reads at depth 32. */
const zipfReplay = (name: string, image: string, stride: string, tables: number): string => `name: ${name}
seed: 7
image: ${image}
cache: { size: 50, policy: fifo }
scheduler: { mode: deterministic }
phases:
  - name: touch-tables
    jobs: [{ name: one-per-table, pattern: strided, stride: ${stride}, op: write, bs: 4k, iodepth: 8, stop: { ops: ${tables} } }]
  - name: read
    jobs: [{ name: zipf-reader, pattern: random, distribution: "zipf:1.1", op: read, bs: 4k, iodepth: 32, stop: { ops: 50000 } }]
`;

/**
 * random-read-zipf's shape on one-cluster tables of 4 KiB clusters (2 MiB of disk each), so the
 * engine's request path and the cache, not reading 256 KiB tables after each miss, set the pace.
 */
const METADATA_REPLAY = zipfReplay('metadata-replay', '{ size: 256M, cluster_size: 4k, table_size: 1 }', '2M', 128);

/**
 * The engine case: 4 KiB zipf(1.1) reads over 100 tables of QEMU's default geometry
 * (64 KiB clusters, table_size 4: every miss reads a 256 KiB table).
 */
const DEFAULT_GEOMETRY_REPLAY = zipfReplay('zipf-default-geometry', '{ size: 200G }', '2G', 100);

type ReplayShape = 'small-tables' | 'default-geometry';
const REPLAYS: Record<ReplayShape, string> = { 'small-tables': METADATA_REPLAY, 'default-geometry': DEFAULT_GEOMETRY_REPLAY };

/** A replay workload in memory, deterministic: wall time of the replay phases. */
async function runReplay(job: Extract<Job, { task: 'replay' }>): Promise<ReplaySample> {
  const { ops, capacity, verify } = job;
  const [w] = parseWorkload(REPLAYS[job.shape], `bench-sim ${job.shape}`, { set: [`phases[1].jobs[0].stop.ops=${ops}`, `cache.size=${capacity}`] });
  let t1 = 0n;
  const t0 = process.hrtime.bigint();
  const outcome = await runWorkload(w, {
    inMemory: true,
    verify,
    store: job.store,
    qemuCheck: false,
    onProgress: (p) => {
      if (p.stage !== 'replay' && t1 === 0n) t1 = process.hrtime.bigint();
    },
  });
  return { requests: outcome.total.requests, lookups: outcome.total.cache.lookups, ns: Number(t1 - t0) };
}

function runPolicy(job: Extract<Job, { task: 'policy' }>): Sample[] {
  const streams = STREAMS.map((name) => ({ name, data: new Float64Array(job.streams[name]) }));
  if (job.policy === BASELINE) {
    for (const s of streams) baseline(job.capacity, s.data.subarray(0, Math.min(s.data.length, 300_000)));
    return streams.map(({ name, data }) => {
      const { ns, hits } = baseline(job.capacity, data);
      return { stream: name, ns, lookups: data.length, hits, evictions: 0 };
    });
  }
  // Warm-up (JIT), not recorded: a slice of every stream.
  for (const s of streams) replay(job.policy, job.capacity, s.data.subarray(0, Math.min(s.data.length, 300_000)));
  return streams.map(({ name, data }) => {
    const { ns, cache } = replay(job.policy, job.capacity, data);
    const st = cache.stats();
    if (st.evictionsInUse !== 0 || cache.size > job.capacity) throw new Error(`${job.policy}: cache broke its rules`);
    return { stream: name, ns, lookups: st.lookups, hits: st.hits, evictions: st.evictions };
  });
}

async function runJob(job: Job): Promise<Sample[] | CurveSample[] | ReplaySample> {
  if (job.task === 'policy') return runPolicy(job);
  if (job.task === 'curve') return runCurves(job);
  return runReplay(job);
}

function inWorker(job: Extract<Job, { task: 'policy' }>): Promise<Sample[]>;
function inWorker(job: Extract<Job, { task: 'curve' }>): Promise<CurveSample[]>;
function inWorker(job: Extract<Job, { task: 'replay' }>): Promise<ReplaySample>;
function inWorker(job: Job): Promise<unknown> {
  return inFreshWorker(new URL(import.meta.url), job, job.task === 'policy' ? job.policy : job.task);
}

// ---------------------------------------------------------------------------------------------
// Main: repetitions, medians, table or JSON.

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface Row {
  policy: string;
  stream: StreamName;
  lookupsPerSec: number[];
  median: number;
  hitRate: number;
  evictions: number;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      accesses: { type: 'string', default: '2000000' },
      reps: { type: 'string', default: '3' },
      capacity: { type: 'string', default: '50' },
      tables: { type: 'string', default: '1000' },
      theta: { type: 'string', default: '1.2' },
      'scan-tables': { type: 'string', default: '100000' },
      'curve-accesses': { type: 'string', default: '10000000' },
      'shards-rate': { type: 'string', default: '0.01' },
      'shards-max': { type: 'string', default: '1000' },
      'replay-ops': { type: 'string', default: '50000' },
      'zipf-ops': { type: 'string', default: '200000' },
      'skip-curve': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const int = (name: string, v: string, min: number): number => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}, got "${v}"`);
    return n;
  };
  const theta = Number(values.theta);
  if (!(theta > 0) || theta === 1) throw new Error(`--theta must be > 0 and not 1, got "${values.theta}"`);
  const shardsRate = Number(values['shards-rate']);
  if (!(shardsRate > 0 && shardsRate <= 1)) throw new Error(`--shards-rate must be in (0, 1], got "${values['shards-rate']}"`);
  return {
    accesses: int('accesses', values.accesses!, 1000),
    reps: int('reps', values.reps!, 1),
    capacity: int('capacity', values.capacity!, 1),
    tables: int('tables', values.tables!, 2),
    theta,
    scanTables: int('scan-tables', values['scan-tables']!, 1),
    curveAccesses: int('curve-accesses', values['curve-accesses']!, 1000),
    shardsRate,
    shardsMax: int('shards-max', values['shards-max']!, 1),
    replayOps: int('replay-ops', values['replay-ops']!, 1),
    zipfOps: int('zipf-ops', values['zipf-ops']!, 1),
    skipCurve: values['skip-curve']!,
    json: values.json!,
  };
}

async function main(): Promise<void> {
  const o = parseOptions();
  const log = (s: string): void => {
    if (!o.json) process.stderr.write(`${s}\n`);
  };
  const streams = buildStreams(o, o.accesses);
  const samples = new Map<string, Sample[]>();
  const names = [BASELINE, ...POLICY_NAMES];
  for (let rep = 0; rep < o.reps; rep++) {
    const order = names.map((_, i) => names[(i + rep) % names.length]);
    for (const policy of order) {
      const got = await inWorker({ task: 'policy', policy, capacity: o.capacity, streams });
      for (const s of got) {
        const key = `${policy}\0${s.stream}`;
        samples.set(key, [...(samples.get(key) ?? []), s]);
      }
    }
    log(`rep ${rep + 1}/${o.reps} done`);
  }

  const rows: Row[] = [];
  for (const policy of names) {
    for (const stream of STREAMS) {
      const list = samples.get(`${policy}\0${stream}`)!;
      const hits = new Set(list.map((s) => s.hits));
      if (hits.size !== 1) throw new Error(`${policy} on ${stream}: hit counts differ between runs (${[...hits].join(', ')})`);
      const rates = list.map((s) => s.lookups / (s.ns / 1e9));
      rows.push({
        policy,
        stream,
        lookupsPerSec: rates,
        median: median(rates),
        hitRate: list[0].hits / list[0].lookups,
        evictions: list[0].evictions,
      });
    }
  }

  const curves = o.skipCurve ? null : await curveRows(o, log);
  const replay = await replayRow(o, log, 'small-tables', o.replayOps, false);
  const zipfFull = await replayRow(o, log, 'default-geometry', o.zipfOps, true);
  const zipfNoVerify = await replayRow(o, log, 'default-geometry', o.zipfOps, false);
  const zipfMetadata = await replayRow(o, log, 'default-geometry', o.zipfOps, false, 'metadata');

  if (o.json) {
    const { json: _json, ...params } = o;
    process.stdout.write(`${JSON.stringify({ bench: 'sim', node: process.version, params, rows, curves, replay, zipfFull, zipfNoVerify, zipfMetadata }, null, 2)}\n`);
    return;
  }

  const mps = (x: number): string => `${(x / 1e6).toFixed(2)} M`;
  const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
  const header = ['policy', 'zipf lookups/s', 'hit rate', 'scan-mix lookups/s', 'hit rate'];
  const body = names.map((policy) => {
    const z = rows.find((r) => r.policy === policy && r.stream === 'zipf')!;
    const s = rows.find((r) => r.policy === policy && r.stream === 'scan-mix')!;
    const rate = (r: Row): string => (policy === BASELINE ? '-' : pct(r.hitRate));
    return [policy, mps(z.median), rate(z), mps(s.median), rate(s)];
  });
  console.log(
    `L2 cache alone, capacity ${o.capacity}, ${o.accesses} accesses per run, median of ${o.reps} runs, one worker per policy and run\n` +
      `zipf: θ ${o.theta} over ${o.tables} tables; scan-mix: half that zipf, half a sequential scan over ${o.scanTables} other tables\n`,
  );
  for (const line of table(header, body)) console.log(line);
  if (curves) printCurves(o, curves);
  console.log(
    `\nDeterministic metadata-only replay (4 KiB zipf reads over 128 one-cluster tables, fifo cache of ${o.capacity}, in memory, verify off, median of ${o.reps}): ` +
      `${replay.requests} requests, ${(replay.requestsPerSec / 1e3).toFixed(1)} k requests/s, ${(replay.lookupsPerSec / 1e3).toFixed(1)} k cache lookups/s`,
  );
  for (const [what, r] of [['verify on', zipfFull], ['verify off', zipfNoVerify], ['metadata-only store', zipfMetadata]] as const) {
    console.log(
      `Deterministic ${r === zipfMetadata ? 'metadata-only' : 'full'} replay, 4 KiB zipf(1.1) reads over 100 default-geometry tables (64 KiB clusters, table_size 4), fifo cache of ${o.capacity}, in memory, ${what}, median of ${o.reps}: ` +
        `${r.requests} requests, ${(r.requestsPerSec / 1e3).toFixed(1)} k requests/s`,
    );
  }
  console.log(`metadata-only ÷ full (verify on): ${(zipfMetadata.requestsPerSec / zipfFull.requestsPerSec).toFixed(2)}x requests/s`);
}

interface CurveRow {
  stream: StreamName;
  accesses: number;
  distinct: number;
  lruMs: number;
  curveMs: number;
  /** curve time ÷ LRU replay time (target < 2). */
  ratio: number;
  shardsMs: number;
  shardsErrors: ShardsError[];
}

/** Medians over `reps` workers, each timing every stream's replay, exact curve and SHARDS curve. */
async function curveRows(o: Options, log: (s: string) => void): Promise<CurveRow[]> {
  const streams = buildStreams(o, o.curveAccesses);
  const all: CurveSample[][] = [];
  for (let rep = 0; rep < o.reps; rep++) {
    all.push(await inWorker({ task: 'curve', capacity: o.capacity, shardsRate: o.shardsRate, shardsMax: o.shardsMax, streams }));
    log(`curves: rep ${rep + 1}/${o.reps} done`);
  }
  return STREAMS.map((stream) => {
    const list = all.map((samples) => samples.find((x) => x.stream === stream)!);
    const first = list[0];
    return {
      stream,
      accesses: first.accesses,
      distinct: first.distinct,
      lruMs: median(list.map((x) => x.lruNs)) / 1e6,
      curveMs: median(list.map((x) => x.curveNs)) / 1e6,
      ratio: median(list.map((x) => x.curveNs / x.lruNs)),
      shardsMs: median(list.map((x) => x.shardsNs)) / 1e6,
      shardsErrors: first.shardsErrors,
    };
  });
}

function printCurves(o: Options, rows: CurveRow[]): void {
  const ms = (x: number): string => `${x.toFixed(0)} ms`;
  const header = ['stream', 'distinct', 'LRU replay', 'exact curve', 'curve/replay', `SHARDS R=${o.shardsRate}`];
  const body = rows.map((r) => [
    r.stream,
    String(r.distinct),
    ms(r.lruMs),
    ms(r.curveMs),
    `${r.ratio.toFixed(2)}×`,
    ms(r.shardsMs),
  ]);
  console.log(
    `\nMiss-ratio curves on ${o.curveAccesses} accesses, median of ${o.reps} runs: one LRU replay (capacity ${o.capacity}) ` +
      `vs the exact one-pass curve at every size (target < 2×); SHARDS (adjusted) time`,
  );
  for (const line of table(header, body)) console.log(line);
  // Errors are deterministic (seeded streams, fixed hash): the first run's.
  const errHeader = ['stream', 'SHARDS', 'final R', 'keys held', 'mean err', 'max err', 'max err, size ≥ 1/R'];
  const errBody = rows.flatMap((r) =>
    r.shardsErrors.map((e) => [r.stream, e.variant, e.rate.toPrecision(3), String(e.keys), e.meanError.toFixed(4), e.maxError.toFixed(3), e.maxErrorResolved.toFixed(3)]),
  );
  console.log(`\nSHARDS error against the exact curve over every size 1..distinct (mean and max absolute miss-ratio error), and the max over sizes ≥ 1/R (final R)`);
  for (const line of table(errHeader, errBody)) console.log(line);
}

interface ReplayRow {
  requests: number;
  lookups: number;
  requestsPerSec: number;
  lookupsPerSec: number;
}

async function replayRow(o: Options, log: (s: string) => void, shape: ReplayShape, ops: number, verify: boolean, store: 'full' | 'metadata' = 'full'): Promise<ReplayRow> {
  const samples: ReplaySample[] = [];
  for (let rep = 0; rep < o.reps; rep++) {
    samples.push(await inWorker({ task: 'replay', shape, ops, capacity: o.capacity, verify, store }));
    log(`replay ${shape}${verify ? ' (verify)' : ''}${store === 'metadata' ? ' (metadata-only)' : ''}: rep ${rep + 1}/${o.reps} done`);
  }
  const lookups = new Set(samples.map((x) => x.lookups));
  if (lookups.size !== 1) throw new Error(`deterministic replay: lookups differ between runs (${[...lookups].join(', ')})`);
  return {
    requests: samples[0].requests,
    lookups: samples[0].lookups,
    requestsPerSec: median(samples.map((x) => x.requests / (x.ns / 1e9))),
    lookupsPerSec: median(samples.map((x) => x.lookups / (x.ns / 1e9))),
  };
}

if (isMainThread) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
} else {
  // A rejection is an uncaught error in the worker: the main thread's 'error' handler sees it.
  void runJob(workerData as Job).then((r) => parentPort!.postMessage(r));
}
