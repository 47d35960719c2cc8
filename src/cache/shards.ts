/**
 * SHARDS (Waldspurger et al., "Efficient MRC Construction with SHARDS", FAST '15), fixed-rate:
 * spatial hash sampling of the table-access stream. A key is sampled when hash(key) mod P < T,
 * so every access to a sampled key is seen and its stack distance among sampled keys, divided
 * by the rate R = T/P, estimates its true distance. Memory and time follow the sampled keys.
 *
 * The paper's adjustment (SHARDS_adj): the sample holds Ns lookups where R·N were expected
 * (N lookups in all); the difference goes to the first histogram bucket, so a cache of size c
 * misses (sampled misses at scaled distance > c) ÷ (R·N) of lookups. Without it one hot table
 * in or out of the sample skews the whole curve.
 */
import { mix32 } from '../util/random.js';
import { CURVE_POINTS, LruStackDistances, curveSizes, type MissRatioCurveReport } from './mrc.js';

/** The hash modulus P: rates are multiples of 1/P. */
export const SHARDS_MODULUS = 1 << 24;
const MASK = SHARDS_MODULUS - 1;
const TWO32 = 4294967296;

/** A uniform 32-bit hash of a table offset (any safe integer; offsets are multiples of the table size). */
export function sampleHash(key: number): number {
  const lo = key >>> 0;
  const hi = Math.floor(key / TWO32) >>> 0;
  return mix32(lo ^ mix32(hi + 0x9e3779b9));
}

export class ShardsCurve {
  /** The threshold T and the rate it gives, T / P (the requested rate rounded to a multiple of 1/P). */
  readonly threshold: number;
  readonly sampleRate: number;
  private readonly sd = new LruStackDistances();
  private nLookups = 0;
  private nInserts = 0;

  constructor(rate: number) {
    if (!(rate > 0 && rate <= 1)) throw new RangeError(`SHARDS sample rate must be in (0, 1], got ${rate}`);
    this.threshold = Math.max(1, Math.round(rate * SHARDS_MODULUS));
    this.sampleRate = this.threshold / SHARDS_MODULUS;
  }

  access(key: number): void {
    this.nLookups++;
    if ((sampleHash(key) & MASK) < this.threshold) this.sd.access(key);
  }

  insert(key: number): void {
    this.nInserts++;
    if ((sampleHash(key) & MASK) < this.threshold) this.sd.insert(key);
  }

  get lookups(): number {
    return this.nLookups;
  }

  /** Lookups and distinct keys in the sample. */
  get sampledLookups(): number {
    return this.sd.lookups;
  }

  get sampledKeys(): number {
    return this.sd.distinctKeys;
  }

  /** Distinct tables in the stream, estimated: sampled keys ÷ R. */
  get distinctEstimate(): number {
    return Math.round(this.sd.distinctKeys / this.sampleRate);
  }

  /** Estimated miss ratio of an LRU cache of each of `sizes` tables (clamped to [0, 1]). */
  missRatios(sizes: readonly number[]): number[] {
    const expected = this.nLookups * this.sampleRate;
    if (expected === 0) return sizes.map(() => 0);
    const cum = this.sd.cumulativeHits();
    const last = cum.length - 1;
    const sampled = this.sd.lookups;
    return sizes.map((c) => {
      // Scaled distance d / R ≤ c  ⇔  d ≤ c·T / P (integers, exact).
      const within = Math.min(last, Math.floor((c * this.threshold) / SHARDS_MODULUS));
      return Math.min(1, Math.max(0, (sampled - cum[within]) / expected));
    });
  }

  report(capacity: number, extraSizes: readonly number[] = []): MissRatioCurveReport {
    const distinct = this.distinctEstimate;
    const sizes = curveSizes(distinct, capacity, CURVE_POINTS, extraSizes);
    return {
      kind: 'shards',
      sampleRate: this.sampleRate,
      lookups: this.nLookups,
      inserts: this.nInserts,
      distinctTables: distinct,
      sizes,
      missRatio: this.missRatios(sizes),
    };
  }
}

/** What the runner and `qed-bench mrc` feed: exact at rate 1, SHARDS below. */
export interface MissRatioCurveBuilder {
  access(key: number): void;
  insert(key: number): void;
  missRatios(sizes: readonly number[]): number[];
  /** The curve at curveSizes(distinct, capacity) plus `extraSizes` (capacity 0: none). */
  report(capacity: number, extraSizes?: readonly number[]): MissRatioCurveReport;
}

export function missRatioCurveBuilder(sampleRate: number): MissRatioCurveBuilder {
  if (!(sampleRate > 0 && sampleRate <= 1)) throw new RangeError(`miss-ratio curve sample rate must be in (0, 1], got ${sampleRate}`);
  return sampleRate === 1 ? new LruStackDistances() : new ShardsCurve(sampleRate);
}
