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
 *   npm run bench:sim -- [--accesses 2000000] [--reps 3] [--capacity 50] [--tables 1000]
 *                        [--theta 1.2] [--scan-tables 100000] [--json]
 */
import { parseArgs } from 'node:util';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { L2Cache } from '../src/cache/l2-cache.js';
import { createPolicy, POLICY_NAMES } from '../src/cache/policies/index.js';
import { Rng } from '../src/util/random.js';
import { Scatter, zipfRanks } from '../src/workload/distributions.js';

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
  json: boolean;
}

interface Job {
  policy: string;
  capacity: number;
  streams: Record<StreamName, SharedArrayBuffer>;
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

function buildStreams(o: Options): Record<StreamName, SharedArrayBuffer> {
  const make = (fill: (out: Float64Array) => void): SharedArrayBuffer => {
    const sab = new SharedArrayBuffer(o.accesses * 8);
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
  for (let i = 0; i < stream.length; i++) {
    const offset = stream[i];
    let e = cache.find(offset);
    if (e === undefined) {
      cache.commit(cache.alloc(offset, table));
      e = cache.acquire(offset);
    }
    cache.unref(e);
  }
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

function runJob(job: Job): Sample[] {
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

function inWorker(job: Job): Promise<Sample[]> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL(import.meta.url), { workerData: job });
    let result: Sample[] | undefined;
    w.once('message', (m: Sample[]) => (result = m));
    w.once('error', reject);
    w.once('exit', (code) => (result ? resolve(result) : reject(new Error(`worker for ${job.policy} exited with ${code}`))));
  });
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
  return {
    accesses: int('accesses', values.accesses!, 1000),
    reps: int('reps', values.reps!, 1),
    capacity: int('capacity', values.capacity!, 1),
    tables: int('tables', values.tables!, 2),
    theta,
    scanTables: int('scan-tables', values['scan-tables']!, 1),
    json: values.json!,
  };
}

async function main(): Promise<void> {
  const o = parseOptions();
  const log = (s: string): void => {
    if (!o.json) process.stderr.write(`${s}\n`);
  };
  const streams = buildStreams(o);
  const samples = new Map<string, Sample[]>();
  const names = [BASELINE, ...POLICY_NAMES];
  for (let rep = 0; rep < o.reps; rep++) {
    const order = names.map((_, i) => names[(i + rep) % names.length]);
    for (const policy of order) {
      const got = await inWorker({ policy, capacity: o.capacity, streams });
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

  if (o.json) {
    const { json: _json, ...params } = o;
    process.stdout.write(`${JSON.stringify({ bench: 'sim', node: process.version, params, rows }, null, 2)}\n`);
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
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(
    `L2 cache alone, capacity ${o.capacity}, ${o.accesses} accesses per run, median of ${o.reps} runs, one worker per policy and run\n` +
      `zipf: θ ${o.theta} over ${o.tables} tables; scan-mix: half that zipf, half a sequential scan over ${o.scanTables} other tables\n`,
  );
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of body) console.log(line(r));
}

if (isMainThread) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
} else {
  parentPort!.postMessage(runJob(workerData as Job));
}
