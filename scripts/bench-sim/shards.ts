/**
 * bench:sim, SHARDS accuracy: the error of three SHARDS variants against the exact curve over
 * every size 1..distinct tables (max and mean) and the max over sizes ≥ 1/R (a sample of rate R
 * cannot resolve smaller caches: a sampled distance of 1 is 1/R tables): plain (÷ sampled
 * lookups), adjusted (SHARDS_adj, what qed-bench uses) and fixed-size with at most `shardsMax`
 * sampled keys. Kept apart from the curve timing so SHARDS itself can change on its own.
 */
import { FixedSizeShards, ShardsCurve } from '../../src/cache/shards.js';
import { table } from '../../src/report/text-table.js';
import { curveError } from '../lib/shards-error.js';

export interface ShardsError {
  variant: string;
  /** The rate at the end (the fixed-size variant lowers it as keys arrive) and the keys held. */
  rate: number;
  keys: number;
  maxError: number;
  meanError: number;
  maxErrorResolved: number;
}

export function shardsCurve<T extends { access(key: number): void }>(stream: Float64Array, s: T): T {
  for (let i = 0; i < stream.length; i++) s.access(stream[i]);
  return s;
}

/** Error of `s` (sizes 1..distinct) against the exact `curve` (index = size). */
function shardsError(variant: string, s: ShardsCurve | FixedSizeShards, curve: Float64Array, distinct: number): ShardsError {
  const est = s.missRatios(Array.from({ length: distinct }, (_, i) => i + 1));
  const e = curveError(est, curve, distinct, s.sampleRate);
  return { variant, rate: s.sampleRate, keys: s.sampledKeys, maxError: e.maxError, meanError: e.meanError, maxErrorResolved: e.maxErrorResolved };
}

/** The three variants' errors on one stream; `adjusted` is the (already timed) adjusted curve. */
export function shardsErrors(stream: Float64Array, adjusted: ShardsCurve, curve: Float64Array, distinct: number, rate: number, maxKeys: number): ShardsError[] {
  return [
    shardsError(`plain R=${rate}`, shardsCurve(stream, new ShardsCurve(rate, { adjust: false })), curve, distinct),
    shardsError(`adjusted R=${rate}`, adjusted, curve, distinct),
    shardsError(`fixed-size s_max=${maxKeys}`, shardsCurve(stream, new FixedSizeShards(maxKeys)), curve, distinct),
  ];
}

/** Errors are deterministic (seeded streams, fixed hash): one run's. */
export function printShardsErrors(rows: { stream: string; shardsErrors: ShardsError[] }[]): void {
  const header = ['stream', 'SHARDS', 'final R', 'keys held', 'mean err', 'max err', 'max err, size ≥ 1/R'];
  const body = rows.flatMap((r) =>
    r.shardsErrors.map((e) => [r.stream, e.variant, e.rate.toPrecision(3), String(e.keys), e.meanError.toFixed(4), e.maxError.toFixed(3), e.maxErrorResolved.toFixed(3)]),
  );
  console.log(`\nSHARDS error against the exact curve over every size 1..distinct (mean and max absolute miss-ratio error), and the max over sizes ≥ 1/R (final R)`);
  for (const line of table(header, body)) console.log(line);
}
