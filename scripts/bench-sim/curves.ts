/**
 * bench:sim, miss-ratio curves: on each stream, one LRU replay through the cache and the exact
 * one-pass curve of the same stream (every size at once): both times and their ratio (target:
 * curve < 2×); the curve at `capacity` must equal the replay's miss ratio, or the bench fails.
 * Also the adjusted SHARDS curve's time, and (shards.ts) the SHARDS variants' errors.
 */
import { L2Cache } from '../../src/cache/l2-cache.js';
import { LruStackDistances } from '../../src/cache/mrc.js';
import { createPolicy } from '../../src/cache/policies/index.js';
import { ShardsCurve } from '../../src/cache/shards.js';
import { table } from '../../src/report/text-table.js';
import { shardsCurve, shardsErrors, type ShardsError } from './shards.js';
import { median, STREAMS, type StreamName, type Streams } from './streams.js';

export interface CurveJob {
  task: 'curve';
  capacity: number;
  shardsRate: number;
  shardsMax: number;
  streams: Streams;
}

export interface CurveSample {
  stream: StreamName;
  accesses: number;
  distinct: number;
  lruNs: number;
  curveNs: number;
  shardsNs: number;
  shardsErrors: ShardsError[];
}

function timed<T>(fn: () => T): { ns: number; value: T } {
  const t0 = process.hrtime.bigint();
  const value = fn();
  return { ns: Number(process.hrtime.bigint() - t0), value };
}

function lruReplay(capacity: number, stream: Float64Array): L2Cache<object> {
  const cache = new L2Cache<object>(capacity, createPolicy('lru'));
  const table = {};
  for (let i = 0; i < stream.length; i++) cache.access(stream[i], table);
  return cache;
}

function exactCurve(stream: Float64Array): LruStackDistances {
  const sd = new LruStackDistances();
  for (let i = 0; i < stream.length; i++) sd.access(stream[i]);
  return sd;
}

/** The worker's side: every stream's replay, exact curve and SHARDS curve, each after a warm-up. */
export function runCurves(job: CurveJob): CurveSample[] {
  const streams = STREAMS.map((name) => ({ name, data: new Float64Array(job.streams[name]) }));
  for (const s of streams) {
    const slice = s.data.subarray(0, Math.min(s.data.length, 300_000));
    lruReplay(job.capacity, slice);
    exactCurve(slice);
    shardsCurve(slice, new ShardsCurve(job.shardsRate));
  }
  return streams.map(({ name, data }) => {
    const lru = timed(() => lruReplay(job.capacity, data));
    const exact = timed(() => exactCurve(data));
    const shards = timed(() => shardsCurve(data, new ShardsCurve(job.shardsRate)));
    const st = lru.value.stats();
    const distinct = exact.value.distinctKeys;
    const curve = exact.value.curve(distinct);
    // The one-pass curve must agree with the replay it is timed against.
    const missRatio = exact.value.missRatios([job.capacity])[0];
    if (Math.abs(missRatio * st.lookups - st.misses) > 1e-6 * st.lookups) {
      throw new Error(`${name}: exact curve at ${job.capacity} gives miss ratio ${missRatio}, the LRU replay ${st.misses / st.lookups}`);
    }
    return {
      stream: name,
      accesses: data.length,
      distinct,
      lruNs: lru.ns,
      curveNs: exact.ns,
      shardsNs: shards.ns,
      shardsErrors: shardsErrors(data, shards.value, curve, distinct, job.shardsRate, job.shardsMax),
    };
  });
}

export interface CurveRow {
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

/** Medians over the repetitions' samples. */
export function curveRows(all: CurveSample[][]): CurveRow[] {
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

export function printCurves(rows: CurveRow[], o: { accesses: number; reps: number; capacity: number; shardsRate: number }): void {
  const ms = (x: number): string => `${x.toFixed(0)} ms`;
  const header = ['stream', 'distinct', 'LRU replay', 'exact curve', 'curve/replay', `SHARDS R=${o.shardsRate}`];
  const body = rows.map((r) => [r.stream, String(r.distinct), ms(r.lruMs), ms(r.curveMs), `${r.ratio.toFixed(2)}×`, ms(r.shardsMs)]);
  console.log(
    `\nMiss-ratio curves on ${o.accesses} accesses, median of ${o.reps} runs: one LRU replay (capacity ${o.capacity}) ` +
      `vs the exact one-pass curve at every size (target < 2×); SHARDS (adjusted) time`,
  );
  for (const line of table(header, body)) console.log(line);
}
