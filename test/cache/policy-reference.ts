import type { L2Cache } from '../../src/cache/l2-cache.js';
/**
 * Reference eviction policies for plain access sequences (one request at a time, nothing held),
 * written straight from the papers' pseudo-code with arrays and linear scans: slow, short and
 * independent of src/cache/policies (other data structures, other formulation where one exists,
 * e.g. CLOCK as a ring of frames with a moving hand). `access(key)` returns true on a hit.
 * Arrays are ordered newest first (index 0 = MRU / head) unless said otherwise.
 */

export interface RefPolicy {
  access(key: number): boolean;
}

function drop<T>(xs: T[], x: T): void {
  const i = xs.indexOf(x);
  if (i >= 0) xs.splice(i, 1);
}

export class RefFifo implements RefPolicy {
  readonly q: number[] = [];
  constructor(readonly c: number) {}
  access(x: number): boolean {
    if (this.q.includes(x)) return true;
    if (this.q.length === this.c) this.q.pop();
    this.q.unshift(x);
    return false;
  }
}

export class RefLru implements RefPolicy {
  readonly q: number[] = [];
  constructor(readonly c: number) {}
  access(x: number): boolean {
    const hit = this.q.includes(x);
    if (hit) drop(this.q, x);
    else if (this.q.length === this.c) this.q.pop();
    this.q.unshift(x);
    return hit;
  }
}

/** Second chance on a ring of c frames: a loaded page starts with its bit clear. */
export class RefClock implements RefPolicy {
  readonly frames: { key: number; ref: boolean }[] = [];
  hand = 0;
  constructor(readonly c: number) {}
  access(x: number): boolean {
    const f = this.frames.find((e) => e.key === x);
    if (f) {
      f.ref = true;
      return true;
    }
    if (this.frames.length < this.c) {
      this.frames.push({ key: x, ref: false });
      return false;
    }
    while (this.frames[this.hand].ref) {
      this.frames[this.hand].ref = false;
      this.hand = (this.hand + 1) % this.c;
    }
    this.frames[this.hand] = { key: x, ref: false };
    this.hand = (this.hand + 1) % this.c;
    return false;
  }
}

/** SIEVE (NSDI '24, Fig. 2); here q is oldest first (q[0] is the tail) so the hand moves up. */
export class RefSieve implements RefPolicy {
  readonly q: number[] = [];
  readonly visited = new Set<number>();
  hand: number | null = null;
  constructor(readonly c: number) {}
  access(x: number): boolean {
    if (this.q.includes(x)) {
      this.visited.add(x);
      return true;
    }
    if (this.q.length === this.c) {
      let i = this.hand ?? 0;
      while (this.visited.has(this.q[i])) {
        this.visited.delete(this.q[i]);
        i = i + 1 === this.q.length ? 0 : i + 1;
      }
      this.q.splice(i, 1);
      this.hand = i < this.q.length ? i : null;
    }
    this.q.push(x);
    return false;
  }
}

/** ARC, Fig. 4 of Megiddo & Modha (FAST '03), line by line. */
export class RefArc implements RefPolicy {
  readonly t1: number[] = [];
  readonly t2: number[] = [];
  readonly b1: number[] = [];
  readonly b2: number[] = [];
  p = 0;
  constructor(readonly c: number) {}

  access(x: number): boolean {
    const { t1, t2, b1, b2, c } = this;
    if (t1.includes(x) || t2.includes(x)) {
      // Case I
      drop(t1, x);
      drop(t2, x);
      t2.unshift(x);
      return true;
    }
    if (b1.includes(x)) {
      // Case II
      this.p = Math.min(c, this.p + (b1.length >= b2.length ? 1 : b2.length / b1.length));
      this.replace(x);
      drop(b1, x);
      t2.unshift(x);
      return false;
    }
    if (b2.includes(x)) {
      // Case III
      this.p = Math.max(0, this.p - (b2.length >= b1.length ? 1 : b1.length / b2.length));
      this.replace(x);
      drop(b2, x);
      t2.unshift(x);
      return false;
    }
    // Case IV
    const l1 = t1.length + b1.length;
    const total = l1 + t2.length + b2.length;
    if (l1 === c) {
      if (t1.length < c) {
        b1.pop();
        this.replace(x);
      } else {
        t1.pop();
      }
    } else if (l1 < c && total >= c) {
      if (total === 2 * c) b2.pop();
      this.replace(x);
    }
    t1.unshift(x);
    return false;
  }

  private replace(x: number): void {
    const { t1 } = this;
    if (t1.length >= 1 && ((this.b2.includes(x) && t1.length === this.p) || t1.length > this.p)) {
      this.b1.unshift(t1.pop()!);
    } else {
      this.b2.unshift(this.t2.pop()!);
    }
  }
}

/** Full 2Q (Johnson & Shasha, VLDB '94, Fig. "2Q, full version"). */
export class RefTwoQ implements RefPolicy {
  readonly a1in: number[] = [];
  readonly am: number[] = [];
  readonly a1out: number[] = [];
  readonly kin: number;
  readonly kout: number;
  constructor(readonly c: number) {
    this.kin = Math.max(1, Math.floor(c / 4));
    this.kout = Math.floor(c / 2);
  }

  access(x: number): boolean {
    if (this.am.includes(x)) {
      drop(this.am, x);
      this.am.unshift(x);
      return true;
    }
    if (this.a1in.includes(x)) return true;
    if (this.a1out.includes(x)) {
      drop(this.a1out, x); // X leaves A1out as it enters Am
      this.reclaimFor();
      this.am.unshift(x);
      return false;
    }
    this.reclaimFor();
    this.a1in.unshift(x);
    return false;
  }

  private reclaimFor(): void {
    if (this.a1in.length + this.am.length < this.c) return; // a free slot
    if (this.a1in.length > this.kin || this.am.length === 0) {
      const y = this.a1in.pop()!;
      this.a1out.unshift(y);
      if (this.a1out.length > this.kout) this.a1out.pop();
    } else {
      this.am.pop();
    }
  }
}

/**
 * S3-FIFO as libCacheSim's S3FIFO.c runs it (fifo-size-ratio 0.1, ghost-size-ratio 0.9,
 * move-to-main-threshold 2), objects of size 1: the lookup takes a missed key out of the ghost
 * FIFO before anything is evicted for it; evict() evicts from main when main holds more than
 * its size or the small FIFO is empty, else from the small FIFO; an object promoted from small
 * restarts at frequency 0; a main object with frequency f > 0 is reinserted with min(f, 3) - 1.
 * Frequencies count every hit (uncapped here). The small FIFO is kept at one entry at least
 * (libCacheSim admits nothing below capacity 20; the policy documents the difference).
 */
export class RefS3Fifo implements RefPolicy {
  readonly s: number[] = [];
  readonly m: number[] = [];
  readonly g: number[] = [];
  readonly freq = new Map<number, number>();
  readonly sSize: number;
  readonly mSize: number;
  readonly gSize: number;
  constructor(readonly c: number) {
    this.sSize = Math.max(1, Math.floor(c * 0.1));
    this.mSize = c - this.sSize;
    this.gSize = Math.floor(c * 0.9);
  }

  access(x: number): boolean {
    if (this.s.includes(x) || this.m.includes(x)) {
      this.freq.set(x, this.freq.get(x)! + 1);
      return true;
    }
    const ghostHit = this.g.includes(x);
    if (ghostHit) drop(this.g, x);
    while (this.s.length + this.m.length + 1 > this.c) {
      if (this.m.length > this.mSize || this.s.length === 0) this.evictM();
      else this.evictS();
    }
    if (ghostHit) this.m.unshift(x);
    else this.s.unshift(x);
    this.freq.set(x, 0);
    return false;
  }

  /** Until one is evicted or S is empty (promotions only: the next evict() takes from main). */
  private evictS(): void {
    while (this.s.length > 0) {
      const t = this.s.pop()!;
      if (this.freq.get(t)! >= 2) {
        this.freq.set(t, 0);
        this.m.unshift(t);
        continue;
      }
      this.freq.delete(t);
      this.g.unshift(t);
      if (this.g.length > this.gSize) this.g.pop();
      return;
    }
  }

  private evictM(): void {
    for (;;) {
      const t = this.m.pop()!;
      const f = this.freq.get(t)!;
      if (f >= 1) {
        this.freq.set(t, Math.min(f, 3) - 1);
        this.m.unshift(t);
        continue;
      }
      this.freq.delete(t);
      return;
    }
  }
}

/**
 * LFU as libCacheSim's LFU.c runs it: a frequency node per count, each a FIFO of its objects
 * (an object is appended when it reaches that count); an insert joins count 1, a hit moves the
 * object to the tail of count + 1; the head of the lowest non-empty count goes. No cap, no aging.
 */
export class RefLfu implements RefPolicy {
  readonly fifo = new Map<number, number[]>();
  readonly freqOf = new Map<number, number>();
  constructor(readonly c: number) {}

  access(x: number): boolean {
    const f = this.freqOf.get(x);
    if (f !== undefined) {
      drop(this.fifo.get(f)!, x);
      this.join(x, f + 1);
      return true;
    }
    if (this.freqOf.size === this.c) {
      const min = Math.min(...[...this.fifo.entries()].filter(([, q]) => q.length > 0).map(([k]) => k));
      const victim = this.fifo.get(min)!.shift()!;
      this.freqOf.delete(victim);
    }
    this.join(x, 1);
    return false;
  }

  private join(x: number, f: number): void {
    this.freqOf.set(x, f);
    if (!this.fifo.has(f)) this.fifo.set(f, []);
    this.fifo.get(f)!.push(x);
  }
}

/**
 * LFU-Aging (Arlitt et al. 2000): counts start at 1, + 1 per hit up to maxCount; the lowest
 * count goes, least recently used first among equals; after a hit, if the average count
 * exceeds maxAverage, every count is halved (rounded down).
 */
export class RefLfuAging implements RefPolicy {
  readonly count = new Map<number, number>();
  readonly last = new Map<number, number>();
  private now = 0;
  agings = 0;
  constructor(
    readonly c: number,
    readonly maxAverage = 8,
    readonly maxCount = 255,
  ) {}

  access(x: number): boolean {
    this.now++;
    const n = this.count.get(x);
    if (n !== undefined) {
      this.count.set(x, Math.min(n + 1, this.maxCount));
      this.last.set(x, this.now);
      let sum = 0;
      for (const v of this.count.values()) sum += v;
      if (sum > this.maxAverage * this.count.size) {
        this.agings++;
        for (const [k, v] of this.count) this.count.set(k, Math.floor(v / 2));
      }
      return true;
    }
    if (this.count.size === this.c) {
      let victim = -1;
      for (const [k, v] of this.count) {
        if (
          victim === -1 ||
          v < this.count.get(victim)! ||
          (v === this.count.get(victim)! && this.last.get(k)! < this.last.get(victim)!)
        ) {
          victim = k;
        }
      }
      this.count.delete(victim);
      this.last.delete(victim);
    }
    this.count.set(x, 1);
    this.last.set(x, this.now);
    return false;
  }
}

export const REFERENCES: Record<string, (capacity: number) => RefPolicy> = {
  fifo: (c) => new RefFifo(c),
  lru: (c) => new RefLru(c),
  clock: (c) => new RefClock(c),
  sieve: (c) => new RefSieve(c),
  arc: (c) => new RefArc(c),
  '2q': (c) => new RefTwoQ(c),
  's3-fifo': (c) => new RefS3Fifo(c),
  lfu: (c) => new RefLfu(c),
  'lfu-aging': (c) => new RefLfuAging(c),
};

/** Table offsets in these tests are multiples of this. */
export const TABLE = 65536;

/** One access with no concurrency: find → on a miss alloc, commit, acquire → unref. True on a hit. */
export function access(cache: L2Cache<number>, key: number): boolean {
  const offset = key * TABLE;
  const hit = cache.find(offset);
  if (hit) {
    cache.unref(hit);
    return true;
  }
  cache.commit(cache.alloc(offset, key));
  cache.unref(cache.acquire(offset));
  return false;
}
