/**
 * SHARDS (Waldspurger et al., "Efficient MRC Construction with SHARDS", FAST '15), fixed-rate
 * and fixed-size: spatial hash sampling of the table-access stream. A key is sampled when hash(key) mod P < T,
 * so every access to a sampled key is seen and its stack distance among sampled keys, divided
 * by the rate R = T/P, estimates its true distance. Memory and time follow the sampled keys.
 *
 * The paper's adjustment (SHARDS_adj): the sample holds Ns lookups where R·N were expected
 * (N lookups in all); the difference goes to the first histogram bucket, so a cache of size c
 * misses (sampled misses at scaled distance > c) ÷ (R·N) of lookups. Without it one hot table
 * in or out of the sample skews the whole curve. `{adjust: false}` gives the plain estimate
 * (sampled misses ÷ sampled lookups), kept for comparison.
 *
 * Fixed-size (FixedSizeShards): the rate starts at 1 and the sample holds at most s_max keys;
 * when a new key would make s_max + 1, the key of largest hash leaves the sample and T drops to
 * that hash. Each sampled lookup counts 1/R of the rate at that moment, at scaled distance d/R.
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

export interface ShardsOptions {
  /** SHARDS_adj (default): divide by the expected sampled lookups, not the sampled lookups. */
  adjust?: boolean;
}

export class ShardsCurve {
  /** The threshold T and the rate it gives, T / P (the requested rate rounded to a multiple of 1/P). */
  readonly threshold: number;
  readonly sampleRate: number;
  private readonly sd = new LruStackDistances();
  private nLookups = 0;
  private nInserts = 0;
  private readonly adjust: boolean;

  constructor(rate: number, opts: ShardsOptions = {}) {
    if (!(rate > 0 && rate <= 1)) throw new RangeError(`SHARDS sample rate must be in (0, 1], got ${rate}`);
    this.threshold = Math.max(1, Math.round(rate * SHARDS_MODULUS));
    this.sampleRate = this.threshold / SHARDS_MODULUS;
    this.adjust = opts.adjust ?? true;
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
    const sampled = this.sd.lookups;
    const expected = this.adjust ? this.nLookups * this.sampleRate : sampled;
    if (expected === 0) return sizes.map(() => 0);
    const cum = this.sd.cumulativeHits();
    const last = cum.length - 1;
    return sizes.map((c) => {
      // Scaled distance d / R ≤ c  ⇔  d ≤ c·T / P (integers, exact).
      const within = Math.min(last, Math.floor((c * this.threshold) / SHARDS_MODULUS));
      return Math.min(1, Math.max(0, (sampled - cum[within]) / expected));
    });
  }

  report(capacity: number, extraSizes: readonly number[] = []): MissRatioCurveReport {
    return shardsReport(this, this.nInserts, capacity, extraSizes);
  }
}

/** Fixed-size SHARDS: at most `maxKeys` sampled keys, the rate lowered as the stream needs. */
export class FixedSizeShards {
  readonly maxKeys: number;
  private threshold = SHARDS_MODULUS;
  private readonly sd = new LruStackDistances();
  private readonly heap = new HashHeap();
  /** hist[b] = weight of lookups at scaled distance in (b - 1, b]; `total` includes cold ones. */
  private hist = new Float64Array(1024);
  private total = 0;
  private nLookups = 0;
  private nInserts = 0;
  private nSampledLookups = 0;
  private peak = 0;
  private readonly adjust: boolean;

  constructor(maxKeys: number, opts: ShardsOptions = {}) {
    if (!(Number.isSafeInteger(maxKeys) && maxKeys >= 1)) throw new RangeError(`SHARDS sample size must be a whole number >= 1, got ${maxKeys}`);
    this.maxKeys = maxKeys;
    this.adjust = opts.adjust ?? true;
  }

  /** The current rate T / P (1 until the sample first fills). */
  get sampleRate(): number {
    return this.threshold / SHARDS_MODULUS;
  }

  get lookups(): number {
    return this.nLookups;
  }

  get sampledLookups(): number {
    return this.nSampledLookups;
  }

  get sampledKeys(): number {
    return this.sd.distinctKeys;
  }

  /** Most keys the sample ever held (never above maxKeys). */
  get peakSampledKeys(): number {
    return this.peak;
  }

  get distinctEstimate(): number {
    return Math.round(this.sd.distinctKeys / this.sampleRate);
  }

  access(key: number): void {
    this.nLookups++;
    const h = sampleHash(key) & MASK;
    if (h >= this.threshold) return;
    this.nSampledLookups++;
    const weight = SHARDS_MODULUS / this.threshold;
    this.total += weight;
    const d = this.sd.reference(key);
    if (d > 0) {
      const b = Math.ceil((d * SHARDS_MODULUS) / this.threshold);
      if (b >= this.hist.length) this.growHist(b);
      this.hist[b] += weight;
    } else {
      this.admit(key, h);
    }
  }

  insert(key: number): void {
    this.nInserts++;
    const h = sampleHash(key) & MASK;
    if (h < this.threshold && this.sd.reference(key) === 0) this.admit(key, h);
  }

  missRatios(sizes: readonly number[]): number[] {
    const denom = this.adjust ? this.nLookups : this.total;
    if (denom === 0) return sizes.map(() => 0);
    const cum = new Float64Array(this.hist.length);
    for (let b = 1; b < cum.length; b++) cum[b] = cum[b - 1] + this.hist[b];
    const last = cum.length - 1;
    return sizes.map((c) => Math.min(1, Math.max(0, (this.total - cum[Math.min(last, Math.floor(c))]) / denom)));
  }

  report(capacity: number, extraSizes: readonly number[] = []): MissRatioCurveReport {
    return shardsReport(this, this.nInserts, capacity, extraSizes);
  }

  /** A new key joined the sample: if that overfills it, lower T to the largest hash and drop every key at or above it. */
  private admit(key: number, h: number): void {
    this.heap.push(h, key);
    if (this.sd.distinctKeys > this.maxKeys) {
      // At least 1, so the rate never reaches 0 (a key hashing to 0 stays sampled).
      this.threshold = Math.max(1, this.heap.topHash());
      while (this.heap.size > 0 && this.heap.topHash() >= this.threshold) this.sd.remove(this.heap.pop());
    }
    if (this.sd.distinctKeys > this.peak) this.peak = this.sd.distinctKeys;
  }

  private growHist(b: number): void {
    let n = this.hist.length * 2;
    while (n <= b) n *= 2;
    const h = new Float64Array(n);
    h.set(this.hist);
    this.hist = h;
  }
}

/** A max-heap of sampled keys by hash. */
class HashHeap {
  private hashes: number[] = [];
  private keys: number[] = [];

  get size(): number {
    return this.hashes.length;
  }

  topHash(): number {
    return this.hashes[0];
  }

  push(hash: number, key: number): void {
    const hs = this.hashes;
    const ks = this.keys;
    let i = hs.length;
    hs.push(hash);
    ks.push(key);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (hs[p] >= hash) break;
      hs[i] = hs[p];
      ks[i] = ks[p];
      i = p;
    }
    hs[i] = hash;
    ks[i] = key;
  }

  /** Remove the top; its key. */
  pop(): number {
    const hs = this.hashes;
    const ks = this.keys;
    const top = ks[0];
    const h = hs.pop()!;
    const k = ks.pop()!;
    const n = hs.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && hs[c + 1] > hs[c]) c++;
      if (hs[c] <= h) break;
      hs[i] = hs[c];
      ks[i] = ks[c];
      i = c;
    }
    hs[i] = h;
    ks[i] = k;
    return top;
  }
}

/** A SHARDS estimate as results files carry it: at curveSizes of the estimated distinct tables. */
function shardsReport(
  s: { sampleRate: number; lookups: number; distinctEstimate: number; missRatios(sizes: readonly number[]): number[] },
  inserts: number,
  capacity: number,
  extraSizes: readonly number[],
): MissRatioCurveReport {
  const sizes = curveSizes(s.distinctEstimate, capacity, CURVE_POINTS, extraSizes);
  return { kind: 'shards', sampleRate: s.sampleRate, lookups: s.lookups, inserts, distinctTables: s.distinctEstimate, sizes, missRatio: s.missRatios(sizes) };
}

/** What the runner and `qed-bench mrc` feed: exact at rate 1, SHARDS below. */
export interface MissRatioCurveBuilder {
  access(key: number): void;
  insert(key: number): void;
  missRatios(sizes: readonly number[]): number[];
  /** The curve at curveSizes(distinct, capacity) plus `extraSizes` (capacity 0: none). */
  report(capacity: number, extraSizes?: readonly number[]): MissRatioCurveReport;
}

/** Exact at rate 1, fixed-rate SHARDS below; fixed-size SHARDS when `sampleMax` is given. */
export function missRatioCurveBuilder(sampleRate: number, sampleMax?: number): MissRatioCurveBuilder {
  if (sampleMax !== undefined) return new FixedSizeShards(sampleMax);
  if (!(sampleRate > 0 && sampleRate <= 1)) throw new RangeError(`miss-ratio curve sample rate must be in (0, 1], got ${sampleRate}`);
  return sampleRate === 1 ? new LruStackDistances() : new ShardsCurve(sampleRate);
}
