/**
 * Samplers for block indices (fio's random_distribution) and block sizes (bs, bsrange, bssplit).
 * Index samplers draw a slot in [0, n), a slot being one `align` unit of the job's region.
 * Memory is O(1) in n and in the number of draws (zoned and split keep one entry per zone/part).
 */

import type { BlockSize, Distribution } from './types.js';
import { mix32, type Rng } from '../util/random.js';

export interface Sampler {
  next(rng: Rng): number;
}

/** Largest slot count a Scatter handles: its Feistel halves must stay within 26 bits. */
export const MAX_SLOTS = 2 ** 52;

// Fixed round keys: the scatter must not depend on the seed (see Scatter).
const [K0, K1, K2, K3] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a];

/**
 * A fixed bijection of [0, n): a 4-round (unbalanced) Feistel network on the smallest number of
 * bits covering n, cycle-walking until the value falls inside [0, n) (under two passes on average).
 * Like fio's hash of zipf and pareto ranks, it spreads hot ranks over the region instead of
 * packing them at its start. It depends only on n, so jobs over the same region share their hot
 * blocks whatever the seed.
 */
export class Scatter {
  private readonly loBits: number;
  private readonly loSize: number;
  private readonly loMask: number;
  private readonly hiMask: number;
  private readonly small: boolean;

  constructor(private readonly n: number) {
    if (!Number.isSafeInteger(n) || n < 1 || n > MAX_SLOTS) throw new RangeError(`cannot scatter ${n} slots`);
    let bits = 2;
    while (2 ** bits < n) bits++;
    const hiBits = bits >> 1;
    this.loBits = bits - hiBits;
    this.loSize = 2 ** this.loBits;
    this.loMask = this.loSize - 1;
    this.hiMask = 2 ** hiBits - 1;
    this.small = bits <= 31;
  }

  map(i: number): number {
    let x = i;
    do x = this.permute(x);
    while (x >= this.n);
    return x;
  }

  private permute(x: number): number {
    const { loMask: mLo, hiMask: mHi } = this;
    // Bit operations while values fit 31 bits, exact float division past that.
    let hi = this.small ? x >>> this.loBits : Math.floor(x / this.loSize);
    let lo = this.small ? x & mLo : x % this.loSize;
    // Each round swaps the halves' roles; after four the widths are back in place.
    const t = hi ^ (mix32(lo ^ K0) & mHi);
    const w = lo ^ (mix32(t ^ K1) & mLo);
    hi = t ^ (mix32(w ^ K2) & mHi);
    lo = w ^ (mix32(hi ^ K3) & mLo);
    return hi * this.loSize + lo;
  }
}

/**
 * Exact zipf ranks 0..n-1, P(k) ∝ (k+1)^-θ, by rejection-inversion (Hörmann & Derflinger 1996):
 * O(1) time and memory, no zeta(n) table. Unscattered; exported for the fio comparison tests.
 */
export function zipfRanks(n: number, theta: number): Sampler {
  const s = theta;
  const h = (x: number): number => Math.exp(-s * Math.log(x));
  // H is an antiderivative of h written with expm1/log1p so θ near 1 keeps its precision.
  const H = (x: number): number => {
    const lx = Math.log(x);
    const t = (1 - s) * lx;
    return (Math.abs(t) > 1e-8 ? Math.expm1(t) / t : 1 + t / 2) * lx;
  };
  const Hinv = (y: number): number => {
    const t = Math.max(-1, y * (1 - s));
    return Math.exp((Math.abs(t) > 1e-8 ? Math.log1p(t) / t : 1 - t / 2) * y);
  };
  const hLow = H(1.5) - 1;
  const hHigh = H(n + 0.5);
  const squeeze = 2 - Hinv(H(2.5) - h(2));
  /** The rank the squeeze accepts for `u`, or 0 when it does not (the slow test decides). */
  const squeezed = (u: number): number => {
    const x = Hinv(u);
    const k = Math.min(n, Math.max(1, Math.floor(x + 0.5)));
    return k - x <= squeeze ? k : 0;
  };
  const fast = new FastRanks(hLow, hHigh, squeezed);
  return {
    next(rng) {
      for (;;) {
        const u = hHigh + rng.float() * (hLow - hHigh);
        const known = fast.rank(u);
        if (known > 0) return known - 1;
        const x = Hinv(u);
        const k = Math.min(n, Math.max(1, Math.floor(x + 0.5)));
        if (k - x <= squeeze || u >= H(k + 0.5) - h(k)) return k - 1;
      }
    },
  };
}

/** Buckets of FastRanks over the low end of u, where the hot ranks are. */
const FAST_BUCKETS = 1 << 15;
/** Slack in u around a bucket (the inverse's rounding error is about 1e-14 here, relative). */
const FAST_GUARD = 1e-9;

/**
 * zipfRanks' draws without the inverse (a log1p and an exp, most of a draw's cost) where the
 * answer is known: u's range below the middle cut into buckets, each learnt on first use. The
 * squeeze's verdict is a monotone step function of the inverse, which is increasing, so a
 * bucket whose verdict is the same rank, accepted, a guard below it and a guard above it (two
 * buckets up: covers its top) has that verdict for every u inside; any other bucket computes.
 */
class FastRanks {
  /** Per bucket: 0 not learnt yet, -1 compute, else the rank (1-based). */
  private readonly known = new Int32Array(FAST_BUCKETS);
  private readonly perBucket: number;
  private readonly width: number;

  constructor(
    private readonly low: number,
    high: number,
    private readonly squeezed: (u: number) => number,
  ) {
    this.width = ((high - low) * 0.62) / FAST_BUCKETS;
    this.perBucket = 1 / this.width;
  }

  /** The rank (1-based) for u, or 0 when it must be computed. */
  rank(u: number): number {
    const j = Math.floor((u - this.low) * this.perBucket);
    if (!(j >= 0 && j < FAST_BUCKETS)) return 0;
    const k = this.known[j];
    return k > 0 ? k : k < 0 ? 0 : this.learn(j);
  }

  private learn(j: number): number {
    const below = this.squeezed(this.low + j * this.width - FAST_GUARD);
    const same = below > 0 && this.squeezed(this.low + (j + 2) * this.width - FAST_GUARD) === below;
    this.known[j] = same ? below : -1;
    return same ? below : 0;
  }
}

/** fio's pareto: rank = floor((n-1)·u^p) with p = ln h / ln(1-h). Unscattered, like zipfRanks. */
export function paretoRanks(n: number, hh: number): Sampler {
  const p = Math.log(hh) / Math.log(1 - hh);
  return { next: (rng) => Math.floor((n - 1) * Math.pow(rng.float(), p)) };
}

/** Standard normal deviate, Marsaglia's polar method. */
function gaussian(rng: Rng): number {
  for (;;) {
    const u = 2 * rng.float() - 1;
    const v = 2 * rng.float() - 1;
    const q = u * u + v * v;
    if (q > 0 && q < 1) return u * Math.sqrt((-2 * Math.log(q)) / q);
  }
}

const NORMAL_TRIES = 64;

function normalSlots(n: number, sigma: number, center: number): Sampler {
  const mean = center * n;
  const sd = sigma * n;
  if (sd === 0) {
    const x = Math.min(n - 1, Math.floor(mean));
    return { next: () => x };
  }
  return {
    next(rng) {
      // Redraw (not clamp) so the ends do not collect the tails; past a few tries the
      // truncated normal is nearly flat anyway, and a uniform draw keeps the loop bounded.
      for (let i = 0; i < NORMAL_TRIES; i++) {
        const x = Math.floor(mean + sd * gaussian(rng));
        if (x >= 0 && x < n) return x;
      }
      return rng.below(n);
    },
  };
}

function zonedSlots(n: number, zones: Array<{ share: number; span: number }>): Sampler {
  const total = zones.reduce((sum, z) => sum + z.share, 0);
  const cum: number[] = [];
  const lo: number[] = [];
  const width: number[] = [];
  let shareSum = 0;
  let spanSum = 0;
  for (const z of zones) {
    const start = Math.min(n - 1, Math.floor(spanSum * n));
    spanSum += z.span;
    const end = Math.min(n, Math.floor(spanSum * n + 1e-9));
    shareSum += z.share;
    cum.push(shareSum / total);
    lo.push(start);
    width.push(Math.max(1, end - start)); // a zone narrower than one slot still gets its share
  }
  closeCumulative(cum, zones.map((z) => z.share));
  return {
    next(rng) {
      const u = rng.float();
      let i = 0;
      while (u >= cum[i]) i++;
      return lo[i] + rng.below(width[i]);
    },
  };
}

/** Pin the cumulative sums to 1 from the last positive weight on, so rounding never picks a zero weight. */
function closeCumulative(cum: number[], weights: number[]): void {
  let last = weights.length - 1;
  while (weights[last] === 0) last--;
  for (let i = last; i < cum.length; i++) cum[i] = 1;
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(message);
}

/** A sampler of slots in [0, n) following `dist`. */
export function slotSampler(dist: Distribution, n: number): Sampler {
  check(Number.isSafeInteger(n) && n >= 1 && n <= MAX_SLOTS, `region of ${n} slots is out of range`);
  switch (dist.kind) {
    case 'uniform':
      return { next: (rng) => rng.below(n) };
    case 'zipf': {
      check(Number.isFinite(dist.theta) && dist.theta > 0, `zipf theta must be > 0, got ${dist.theta}`);
      const ranks = zipfRanks(n, dist.theta);
      const scatter = new Scatter(n);
      return { next: (rng) => scatter.map(ranks.next(rng)) };
    }
    case 'pareto': {
      check(dist.h > 0 && dist.h < 1, `pareto h must be in (0, 1), got ${dist.h}`);
      const ranks = paretoRanks(n, dist.h);
      const scatter = new Scatter(n);
      return { next: (rng) => scatter.map(ranks.next(rng)) };
    }
    case 'normal':
      check(dist.sigma >= 0 && Number.isFinite(dist.sigma), `normal sigma must be >= 0, got ${dist.sigma}`);
      check(dist.center >= 0 && dist.center <= 1, `normal center must be in [0, 1], got ${dist.center}`);
      return normalSlots(n, dist.sigma, dist.center);
    case 'zoned':
      check(dist.zones.length > 0, 'zoned needs at least one zone');
      check(
        dist.zones.every((z) => z.share >= 0 && z.span >= 0) && dist.zones.some((z) => z.share > 0),
        'zone shares and spans must be >= 0 with some share > 0',
      );
      return zonedSlots(n, dist.zones);
  }
}

/** Block sizes in bytes; ranges draw whole multiples of `align`. */
export function sizeSampler(bs: BlockSize, align: number): Sampler {
  const isSize = (x: number): boolean => Number.isSafeInteger(x) && x >= 1;
  switch (bs.kind) {
    case 'fixed':
      check(isSize(bs.size), `block size must be a positive integer, got ${bs.size}`);
      return { next: () => bs.size };
    case 'range': {
      const kMin = Math.max(1, Math.ceil(bs.min / align));
      const kMax = Math.floor(bs.max / align);
      check(kMin <= kMax, `block size range ${bs.min}..${bs.max} holds no multiple of align ${align}`);
      return { next: (rng) => (kMin + rng.below(kMax - kMin + 1)) * align };
    }
    case 'split': {
      check(bs.parts.length > 0, 'block size split needs at least one part');
      check(
        bs.parts.every((p) => isSize(p.size) && p.weight >= 0) && bs.parts.some((p) => p.weight > 0),
        'split sizes must be positive integers and weights >= 0 with some weight > 0',
      );
      const total = bs.parts.reduce((sum, p) => sum + p.weight, 0);
      let acc = 0;
      const cum = bs.parts.map((p) => (acc += p.weight) / total);
      closeCumulative(cum, bs.parts.map((p) => p.weight));
      const sizes = bs.parts.map((p) => p.size);
      return {
        next(rng) {
          const u = rng.float();
          let i = 0;
          while (u >= cum[i]) i++;
          return sizes[i];
        },
      };
    }
  }
}
