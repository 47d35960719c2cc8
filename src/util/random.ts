/**
 * Seeded PRNG for workload generators: xoshiro128** seeded through splitmix32.
 * Only 32-bit integer operations (Math.imul, shifts), so a seed gives the same stream on every
 * machine and Node version; the results CI compares exactly depend on that. (The distributions
 * built on it also use Math.log/exp/pow, which V8 computes in software, the same on every CPU.)
 */
import { remainder } from './remainder.js';

const TWO32 = 4294967296;
const TWO53 = 9007199254740992;

/** murmur3's 32-bit finaliser: a bijective avalanche mix. */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Hash any number of 32-bit words into one; the order of the words matters. */
function combine(words: readonly number[]): number {
  let h = 0x2545f491;
  for (const w of words) h = mix32((h ^ mix32(w >>> 0)) + 0x9e3779b9);
  return h;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /**
   * `seed` is any safe integer; `streams` (safe integers, e.g. job index and a purpose tag)
   * select independent streams under one seed.
   */
  constructor(seed: number, ...streams: number[]) {
    const words: number[] = [];
    for (const v of [seed, ...streams]) {
      if (!Number.isSafeInteger(v)) throw new RangeError(`PRNG seed and stream ids must be safe integers, got ${v}`);
      words.push(v >>> 0, Math.floor(v / TWO32) >>> 0);
    }
    // splitmix32 expands the combined seed into the four state words.
    let s = combine(words);
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      return mix32(s);
    };
    // Kept as int32 (the same bits): a field first given a value past 2^31 stays a heap number in V8.
    this.a = next() | 0;
    this.b = next() | 0;
    this.c = next() | 0;
    this.d = next() | 0;
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1; // the all-zero state is a fixed point
  }

  /** Build from a raw state (reference test vectors). */
  static fromState(a: number, b: number, c: number, d: number): Rng {
    const r = new Rng(0);
    r.a = a | 0;
    r.b = b | 0;
    r.c = c | 0;
    r.d = d | 0;
    return r;
  }

  /** Next 32-bit unsigned integer. */
  u32(): number {
    const m = Math.imul(this.b, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = (this.d << 11) | (this.d >>> 21);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  float(): number {
    return ((this.u32() >>> 5) * 67108864 + (this.u32() >>> 6)) / TWO53;
  }

  /** Unbiased integer in [0, n), 1 <= n <= 2^53 (rejection keeps it exact). */
  below(n: number): number {
    if (n <= TWO32) {
      const limit = TWO32 - remainder(TWO32, n);
      let r = this.u32();
      while (r >= limit) r = this.u32();
      return remainder(r, n);
    }
    const limit = TWO53 - (TWO53 % n);
    let r = (this.u32() >>> 11) * TWO32 + this.u32();
    while (r >= limit) r = (this.u32() >>> 11) * TWO32 + this.u32();
    return r % n;
  }
}
