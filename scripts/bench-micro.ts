/**
 * bench:micro: tinybench timings of the hot paths, one operation at a time.
 *   cache <policy> find hit       find() of a cached table (50 cached, capacity 50) + unref()
 *   cache <policy> commit+evict   find() miss → alloc() → commit(), which evicts one table
 *   geometry l1/l2/offset         Geometry.l1Index + l2Index + offsetInCluster of one position
 *   shadow stamp 4k write         ShadowModel.beginWrite (stamps 8 sectors) + endWrite
 *   shadow verify 4k read         ShadowModel.beginRead + endRead of a correctly stamped 4 KiB
 *   histogram record              LatencyRecorder.record (HDR histogram)
 * One operation takes tens of nanoseconds, below the timer's resolution, so every sample times a
 * batch of BATCH operations and reports the batch mean (tinybench's overriddenDuration). Each
 * policy runs in its own worker thread so the cache's call sites see one policy class, as in a
 * real run (see bench-sim.ts); the other groups share one worker.
 *
 *   npm run bench:micro -- [--time 1000] [--json]
 * --json prints github-action-benchmark's customBiggerIsBetter JSON (name, unit, value, range).
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { Bench, type Task } from 'tinybench';
import { L2Cache } from '../src/cache/l2-cache.js';
import { createPolicy, POLICY_NAMES } from '../src/cache/policies/index.js';
import { LatencyRecorder } from '../src/metrics/latency.js';
import { Geometry } from '../src/qed/format.js';
import { ShadowModel } from '../src/replay/shadow.js';
import { table } from '../src/report/text-table.js';
import { inFreshWorker } from './lib/fresh-worker.js';
import { Rng } from '../src/util/random.js';
import { benchArgs } from './lib/bench-args.js';

/** Operations per timed sample. */
const BATCH = 1000;
/** Tables the cache holds (QEMU's fixed size). */
const CAPACITY = 50;
/** Bytes between L2 tables with QED's default geometry (4 clusters of 64 KiB). */
const TABLE_SPAN = 4 * 65536;
/** The group that is not a cache policy. */
const CORE = 'core';

interface Job {
  group: string;
  timeMs: number;
}

export interface Row {
  name: string;
  opsPerSec: number;
  meanNs: number;
  /** Relative margin of error of the mean, percent (95 %). */
  rme: number;
  samples: number;
}

// ---------------------------------------------------------------------------------------------
// Tasks. Each returns a function doing BATCH operations; inputs are seeded and precomputed.

type Batch = () => void;

function cacheHit(policy: string): Batch {
  const cache = new L2Cache<object>(CAPACITY, createPolicy(policy));
  for (let i = 0; i < CAPACITY; i++) cache.commit(cache.alloc(i * TABLE_SPAN, {}));
  const rng = new Rng(1, 1);
  const keys = Float64Array.from({ length: BATCH }, () => rng.below(CAPACITY) * TABLE_SPAN);
  return () => {
    for (let i = 0; i < BATCH; i++) cache.unref(cache.find(keys[i])!);
  };
}

function cacheMiss(policy: string): Batch {
  const cache = new L2Cache<object>(CAPACITY, createPolicy(policy));
  const table = {};
  let next = 0;
  for (; next < CAPACITY; next++) cache.commit(cache.alloc(next * TABLE_SPAN, table));
  return () => {
    for (let i = 0; i < BATCH; i++, next++) {
      const offset = next * TABLE_SPAN; // never seen before: always a miss and an eviction
      if (cache.find(offset) === undefined) cache.commit(cache.alloc(offset, table));
    }
  };
}

function geometry(): Batch {
  const g = new Geometry(65536, 4);
  const rng = new Rng(1, 2);
  const pos = Float64Array.from({ length: BATCH }, () => rng.below(2 ** 30) * 512 * 4); // up to 2 TiB
  let sink = 0;
  return () => {
    for (let i = 0; i < BATCH; i++) sink += g.l1Index(pos[i]) + g.l2Index(pos[i]) + g.offsetInCluster(pos[i]);
    if (sink === -1) console.log(sink); // keep the work observable
  };
}

/** 4 KiB writes over a 64 MiB region, in a seeded order. */
function blockOffsets(stream: number): Float64Array {
  const rng = new Rng(1, stream);
  return Float64Array.from({ length: BATCH }, () => rng.below(16384) * 4096);
}

function shadowStamp(): Batch {
  const shadow = new ShadowModel(7, 'zeros');
  const offs = blockOffsets(3);
  return () => {
    for (let i = 0; i < BATCH; i++) shadow.endWrite(shadow.beginWrite(offs[i], 4096, false).seq, true);
  };
}

function shadowVerify(): Batch {
  const shadow = new ShadowModel(7, 'zeros');
  const blocks = 256;
  const data: Uint8Array[] = [];
  for (let b = 0; b < blocks; b++) {
    const w = shadow.beginWrite(b * 4096, 4096, false);
    shadow.endWrite(w.seq, true);
    data.push(w.data!);
  }
  const rng = new Rng(1, 4);
  const order = Uint16Array.from({ length: BATCH }, () => rng.below(blocks));
  return () => {
    for (let i = 0; i < BATCH; i++) {
      const b = order[i];
      if (shadow.endRead(shadow.beginRead(b * 4096, 4096), data[b]) !== 0) throw new Error('shadow verify: a correct read was reported bad');
    }
  };
}

function histogramRecord(): Batch {
  const rec = new LatencyRecorder();
  const rng = new Rng(1, 5);
  // Latencies from ~10 µs to ~10 ms, log-uniform: every bucket range of a real run.
  const ns = Float64Array.from({ length: BATCH }, () => 10_000 * 1000 ** rng.float());
  return () => {
    for (let i = 0; i < BATCH; i++) rec.record(ns[i]);
  };
}

function tasksOf(group: string): Array<[string, Batch]> {
  if (group === CORE) {
    return [
      ['geometry l1/l2/offset', geometry()],
      ['shadow stamp 4k write', shadowStamp()],
      ['shadow verify 4k read', shadowVerify()],
      ['histogram record', histogramRecord()],
    ];
  }
  return [
    [`cache ${group} find hit`, cacheHit(group)],
    [`cache ${group} commit+evict`, cacheMiss(group)],
  ];
}

// ---------------------------------------------------------------------------------------------
// Worker: one group's tasks through tinybench.

async function runGroup(job: Job): Promise<Row[]> {
  const bench = new Bench({ time: job.timeMs, warmupTime: Math.min(200, job.timeMs / 4) });
  for (const [name, batch] of tasksOf(job.group)) {
    bench.add(name, () => {
      const t0 = bench.now();
      batch();
      const ms = bench.now() - t0;
      return { overriddenDuration: ms / BATCH, overriddenIterationCost: ms };
    });
  }
  await bench.run();
  return bench.tasks.map(rowOf);
}

function rowOf(t: Task): Row {
  const r = t.result;
  if (r.state !== 'completed') throw new Error(`${t.name}: ${r.state === 'errored' ? r.error.message : r.state}`);
  return {
    name: t.name,
    opsPerSec: 1000 / r.latency.mean, // mean time per operation, inverted (not a mean of rates)
    meanNs: r.latency.mean * 1e6,
    rme: r.latency.rme,
    samples: r.latency.samplesCount,
  };
}

function inWorker(job: Job): Promise<Row[]> {
  return inFreshWorker(new URL(import.meta.url), job, job.group);
}

// ---------------------------------------------------------------------------------------------
// Main: groups in turn, then a table or the JSON.

/** github-action-benchmark's customBiggerIsBetter entries. */
export function benchmarkActionJson(rows: Row[]): Array<{ name: string; unit: 'ops/s'; value: number; range: string }> {
  return rows.map((r) => ({ name: r.name, unit: 'ops/s', value: Math.round(r.opsPerSec), range: `±${r.rme.toFixed(2)}%` }));
}

export function formatTable(rows: Row[]): string {
  const header = ['name', 'ops/s', 'mean ns', '±rme', 'samples'];
  const body = rows.map((r) => [
    r.name,
    Math.round(r.opsPerSec).toLocaleString('en-US'),
    r.meanNs.toFixed(1),
    `±${r.rme.toFixed(2)}%`,
    String(r.samples),
  ]);
  return table(header, body).join('\n');
}

async function main(): Promise<void> {
  const { values } = benchArgs('bench:micro', { options: { time: { type: 'string', default: '1000' }, json: { type: 'boolean', default: false } } });
  const timeMs = Number(values.time);
  if (!Number.isSafeInteger(timeMs) || timeMs < 10) throw new Error(`--time must be a whole number of milliseconds >= 10, got "${values.time}"`);
  const json = values.json!;
  const log = (s: string): void => {
    if (!json && process.stderr.isTTY && !process.env.CI) process.stderr.write(s);
  };
  const rows: Row[] = [];
  for (const group of [...POLICY_NAMES, CORE]) {
    log(`\r${group}...        `);
    rows.push(...(await inWorker({ group, timeMs })));
  }
  log('\r                    \r');
  if (json) {
    process.stdout.write(`${JSON.stringify(benchmarkActionJson(rows), null, 2)}\n`);
    return;
  }
  console.log(`tinybench ${timeMs} ms per task, ${BATCH} operations per sample, cache capacity ${CAPACITY}, Node ${process.version}\n`);
  console.log(formatTable(rows));
}

if (isMainThread) {
  main().catch((e: unknown) => {
    console.error(`bench:micro: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
} else {
  parentPort!.postMessage(await runGroup(workerData as Job));
}
