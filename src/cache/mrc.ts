/**
 * Exact LRU miss-ratio curve in one pass over a table-access stream (Mattson's stack
 * distances). A Fenwick tree over access times marks each key's latest access, so the stack
 * distance of an access is the number of marks after the key's previous access: O(log n) each.
 */
export class LruStackDistances {
  private readonly tree: Int32Array;
  private readonly last = new Map<number, number>();
  /** hist[d] = accesses at stack distance d (1 = the most recent key again). */
  private hist = new Float64Array(64);
  private t = 0;
  private cold = 0;

  /** `capacity` = the most accesses this instance will see (the tree is sized once). */
  constructor(readonly capacity: number) {
    this.tree = new Int32Array(capacity + 1);
  }

  access(key: number): void {
    if (this.t >= this.capacity) throw new RangeError(`LruStackDistances: more than ${this.capacity} accesses`);
    const now = ++this.t;
    const prev = this.last.get(key);
    if (prev === undefined) {
      this.cold++;
    } else {
      const d = this.prefix(now - 1) - this.prefix(prev) + 1;
      if (d >= this.hist.length) this.grow(d);
      this.hist[d]++;
      this.add(prev, -1);
    }
    this.add(now, 1);
    this.last.set(key, now);
  }

  /** Miss ratio of an LRU cache of each size 1..maxSize (index 0 unused), cold misses included. */
  curve(maxSize = this.last.size): Float64Array {
    const out = new Float64Array(maxSize + 1);
    let hits = 0;
    for (let c = 1; c <= maxSize; c++) {
      if (c < this.hist.length) hits += this.hist[c];
      out[c] = this.t ? 1 - hits / this.t : 0;
    }
    return out;
  }

  get accesses(): number {
    return this.t;
  }

  get distinctKeys(): number {
    return this.last.size;
  }

  get coldMisses(): number {
    return this.cold;
  }

  private add(i: number, v: number): void {
    for (; i <= this.capacity; i += i & -i) this.tree[i] += v;
  }

  private prefix(i: number): number {
    let s = 0;
    for (; i > 0; i -= i & -i) s += this.tree[i];
    return s;
  }

  private grow(d: number): void {
    const h = new Float64Array(Math.max(d + 1, this.hist.length * 2));
    h.set(this.hist);
    this.hist = h;
  }
}

/**
 * A miss-ratio curve as results files carry it. Computed from the run's L2 table-access stream
 * (QedImage.onTableAccess): lookups and new tables in order; new tables are cold accesses that
 * are not lookups, so they never count as misses or hits but do occupy the LRU stack.
 * `sizes[i]` tables → `missRatio[i]` (misses ÷ lookups of an LRU cache of that size, cold
 * misses included), at every size 1..distinctTables or, for many tables, a spread of sizes
 * that always includes the run's own capacity.
 */
export interface MissRatioCurveReport {
  kind: 'exact' | 'shards';
  /** SHARDS spatial sampling rate (1 for exact). */
  sampleRate: number;
  /** Lookups in the stream (hits + misses), and new-table inserts. */
  lookups: number;
  inserts: number;
  distinctTables: number;
  sizes: number[];
  missRatio: number[];
}
