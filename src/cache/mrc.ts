/**
 * Exact LRU miss-ratio curve in one pass over a table-access stream (Mattson's stack
 * distances). A bit per access time marks each key's latest access, so the stack distance of an
 * access is the number of marks after the key's previous access: a Fenwick tree over the mark
 * counts of 32-bit words plus a popcount, O(log n) each. (The tree over words is 32 times smaller
 * than one over times: it stays in the CPU's nearest cache however many distinct keys there are.)
 *
 * The stream length is not known up front, so the time axis is renumbered when it fills: only
 * one mark per distinct key is live, and packing the live marks to 1..k (in order) keeps every
 * distance. The axis doubles only when more than half of it is live, so memory follows the
 * number of distinct keys, not the number of accesses, and the packing costs O(1) amortized.
 */
export class LruStackDistances {
  /** Time axis length (a power of two ≥ 1024); `owner` has n + 1 slots. */
  private n = 1024;
  /** Mark of time p (1-based): bit (p - 1) & 31 of word (p - 1) >>> 5. */
  private bits = new Int32Array(this.n >>> 5);
  /** Fenwick tree over the words' mark counts (1-based: tree[w + 1] covers word w). */
  private tree = new Int32Array((this.n >>> 5) + 1);
  /** owner[time] = slot + 1 of the key whose latest access is at `time`, 0 for none. */
  private owner = new Int32Array(this.n + 1);
  /** Dense slot per key, and the time of each slot's latest access; slots freed by remove(). */
  private readonly slotOf = new Map<number, number>();
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;
  private lastTime = new Int32Array(1024);
  /** hist[d] = lookups at stack distance d (1 = the most recent key again); length > keys. */
  private hist = new Float64Array(1025);
  private t = 0;
  private nLookups = 0;
  private nInserts = 0;
  private cold = 0;

  /** A lookup of `key`: counted as a hit at every size ≥ its stack distance, else a miss. */
  access(key: number): void {
    this.nLookups++;
    const d = this.touch(key);
    if (d === 0) this.cold++;
    else this.hist[d]++;
  }

  /** `key` enters the stack without a lookup (a table the engine created): neither hit nor miss. */
  insert(key: number): void {
    this.nInserts++;
    this.touch(key);
  }

  /**
   * Move `key` to the top of the stack without counting it: its stack distance (0 if it was
   * not on the stack). For callers that keep their own histogram (fixed-size SHARDS).
   */
  reference(key: number): number {
    return this.touch(key);
  }

  /** Take `key` off the stack (it no longer counts in anyone's distance); false if absent. */
  remove(key: number): boolean {
    const slot = this.slotOf.get(key);
    if (slot === undefined) return false;
    const at = this.lastTime[slot];
    this.unmark(at);
    this.owner[at] = 0;
    this.slotOf.delete(key);
    this.freeSlots.push(slot);
    return true;
  }

  /** Miss ratio of an LRU cache of each size 1..maxSize (index 0 unused), cold misses included. */
  curve(maxSize = this.slotOf.size): Float64Array {
    const out = new Float64Array(maxSize + 1);
    const cum = this.cumulativeHits();
    for (let c = 1; c <= maxSize; c++) out[c] = this.missRatioOf(cum, c);
    return out;
  }

  /** cum[d] = lookups at stack distance ≤ d, for d = 0..distinctKeys (hits of a cache of d tables). */
  cumulativeHits(): Float64Array {
    // Slots ever used bound every distance seen, even after remove().
    const k = this.nextSlot;
    const cum = new Float64Array(k + 1);
    for (let d = 1; d <= k; d++) cum[d] = cum[d - 1] + this.hist[d];
    return cum;
  }

  /** Miss ratio of an LRU cache of each of `sizes` tables. */
  missRatios(sizes: readonly number[]): number[] {
    const cum = this.cumulativeHits();
    return sizes.map((c) => this.missRatioOf(cum, c));
  }

  /** The report at curveSizes(distinct, capacity) and any `extraSizes`. */
  report(capacity: number, extraSizes: readonly number[] = []): MissRatioCurveReport {
    const sizes = curveSizes(this.slotOf.size, capacity, CURVE_POINTS, extraSizes);
    return {
      kind: 'exact',
      sampleRate: 1,
      lookups: this.nLookups,
      inserts: this.nInserts,
      distinctTables: this.slotOf.size,
      sizes,
      missRatio: this.missRatios(sizes),
    };
  }

  /** Misses ÷ lookups at size c: (sampled) misses over lookups, as ShardsCurve computes it. */
  private missRatioOf(cum: Float64Array, c: number): number {
    return this.nLookups ? (this.nLookups - cum[Math.min(c, cum.length - 1)]) / this.nLookups : 0;
  }

  /** Lookups and inserts. */
  get accesses(): number {
    return this.nLookups + this.nInserts;
  }

  get lookups(): number {
    return this.nLookups;
  }

  get inserts(): number {
    return this.nInserts;
  }

  get distinctKeys(): number {
    return this.slotOf.size;
  }

  /** Lookups of a key never seen before (misses at every size). */
  get coldMisses(): number {
    return this.cold;
  }

  /** Move `key` to the top of the stack; its stack distance, or 0 if it was not on the stack. */
  private touch(key: number): number {
    let slot = this.slotOf.get(key);
    let d = 0;
    if (slot === undefined) {
      slot = this.freeSlots.pop() ?? this.nextSlot++;
      this.slotOf.set(key, slot);
      if (slot >= this.lastTime.length) this.growSlots();
    } else {
      const prev = this.lastTime[slot];
      // Every live mark is at or before now - 1: those after `prev` are the keys used since.
      d = this.slotOf.size - this.marksUpTo(prev) + 1;
      this.unmark(prev);
      this.owner[prev] = 0;
    }
    if (this.t === this.n) this.pack();
    const now = ++this.t;
    this.mark(now);
    this.owner[now] = slot + 1;
    this.lastTime[slot] = now;
    return d;
  }

  private mark(p: number): void {
    const w = (p - 1) >>> 5;
    this.bits[w] |= 1 << ((p - 1) & 31);
    const tree = this.tree;
    const words = tree.length - 1;
    for (let i = w + 1; i <= words; i += i & -i) tree[i]++;
  }

  private unmark(p: number): void {
    const w = (p - 1) >>> 5;
    this.bits[w] &= ~(1 << ((p - 1) & 31));
    const tree = this.tree;
    const words = tree.length - 1;
    for (let i = w + 1; i <= words; i += i & -i) tree[i]--;
  }

  /** Marks at times 1..p. */
  private marksUpTo(p: number): number {
    const w = (p - 1) >>> 5;
    const tree = this.tree;
    let s = 0;
    for (let i = w; i > 0; i -= i & -i) s += tree[i];
    // Bits 0..b of the word: (2 << b) - 1, which is -1 (all) for b = 31.
    return s + popcount(this.bits[w] & ((2 << ((p - 1) & 31)) - 1));
  }

  /** Renumber the live marks 1..k in time order; double the axis if that leaves it over half full. */
  private pack(): void {
    const live = this.slotOf.size; // the marks now plus the one about to be placed
    const n = live * 2 > this.n ? this.n * 2 : this.n;
    const owner = n === this.n ? this.owner : new Int32Array(n + 1);
    let k = 0;
    for (let i = 1; i <= this.t; i++) {
      const s = this.owner[i];
      if (s === 0) continue;
      owner[++k] = s;
      this.lastTime[s - 1] = k;
    }
    owner.fill(0, k + 1);
    const words = n >>> 5;
    const bits = n === this.n ? this.bits.fill(0) : new Int32Array(words);
    bits.fill(-1, 0, k >>> 5);
    if (k & 31) bits[k >>> 5] = (1 << (k & 31)) - 1;
    const tree = n === this.n ? this.tree.fill(0) : new Int32Array(words + 1);
    for (let w = 0; w < words; w++) tree[w + 1] = popcount(bits[w]);
    // Linear Fenwick build: each node passes its sum to its parent.
    for (let i = 1; i <= words; i++) {
      const p = i + (i & -i);
      if (p <= words) tree[p] += tree[i];
    }
    this.n = n;
    this.owner = owner;
    this.bits = bits;
    this.tree = tree;
    this.t = k;
  }

  private growSlots(): void {
    const lt = new Int32Array(this.lastTime.length * 2);
    lt.set(this.lastTime);
    this.lastTime = lt;
    const h = new Float64Array(lt.length + 1);
    h.set(this.hist);
    this.hist = h;
  }
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Most points a report carries; below this many distinct tables it has every size. */
export const CURVE_POINTS = 512;

/**
 * Report sizes: every size 1..distinct when that is at most `maxPoints`, else about
 * `maxPoints` sizes spread evenly on a log scale from 1 to distinct; `capacity` (when ≥ 1) and
 * `extraSizes` always.
 */
export function curveSizes(distinct: number, capacity: number, maxPoints = CURVE_POINTS, extraSizes: readonly number[] = []): number[] {
  const set = new Set<number>();
  if (distinct <= maxPoints) {
    for (let c = 1; c <= distinct; c++) set.add(c);
  } else {
    // Each next size is a steady ratio toward `distinct` over the points left, at least one
    // more than the last: every small size, then a geometric spread, ending at distinct.
    let prev = 1;
    set.add(1);
    for (let left = maxPoints - 1; left >= 1; left--) {
      prev = Math.min(distinct, Math.max(prev + 1, Math.round(prev * (distinct / prev) ** (1 / left))));
      set.add(prev);
    }
  }
  if (capacity >= 1) set.add(capacity);
  for (const c of extraSizes) set.add(c);
  return [...set].sort((a, b) => a - b);
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
