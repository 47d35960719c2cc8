/** An intrusive hash index of policy nodes by key (table offset): the cache's and ghost lists' lookup. */

/** What the index needs of a node (policies/dlist.ts's Node has it): its key, the key's hash, the chain link. */
export interface IndexedNode {
  key: number;
  hash: number;
  hnext: IndexedNode | null;
}

/**
 * Separate chaining through the nodes themselves (`hnext`), as libCacheSim chains its
 * cache_obj_t: adding or removing a node allocates nothing, and a node carries its key's hash
 * (`hash`, set with the key), so indexing, unindexing or moving a key into a ghost list hashes
 * nothing. A miss costs one hash: the lookup's (getHashed), which the entry taking the key
 * then reuses. At most one node per key; keys must not be NaN. Iteration order is not insertion order.
 */
export class NodeIndex<N extends IndexedNode = IndexedNode> {
  private buckets: (IndexedNode | null)[];
  /** A node's bucket is the top bits of its 30-bit hash: hash >>> shift. */
  private shift: number;
  size = 0;

  constructor(expected = 8) {
    let n = 16;
    let shift = 26;
    while (n < expected * 2) {
      n *= 2;
      shift--;
    }
    this.buckets = new Array<IndexedNode | null>(n).fill(null);
    this.shift = shift;
  }

  get(key: number): N | undefined {
    return this.getHashed(key, hashOf(key));
  }

  /** get, for a caller that has the key's hash already (and keeps it for an insert). */
  getHashed(key: number, h: number): N | undefined {
    let n = this.buckets[h >>> this.shift];
    // The hash (a small integer in the node) first: a node of another key costs no key load.
    while (n !== null) {
      if (n.hash === h && n.key === key) return n as N;
      n = n.hnext;
    }
    return undefined;
  }

  /** Room for `expected` nodes without growing (a ghost index sized from the capacity). */
  reserve(expected: number): void {
    while (this.buckets.length < expected * 2) this.grow();
  }

  has(key: number): boolean {
    return this.get(key) !== undefined;
  }

  /** Index a node whose key is not indexed yet (the caller knows: it just missed). */
  add(n: N): void {
    const key = n.key;
    if (key !== key) throw new RangeError('NodeIndex: a key must not be NaN');
    const b = n.hash >>> this.shift;
    n.hnext = this.buckets[b];
    this.buckets[b] = n;
    if (++this.size > this.buckets.length) this.grow();
  }

  /** Unindex a node that is indexed here. */
  delete(n: N): void {
    const b = n.hash >>> this.shift;
    let p = this.buckets[b];
    if (p === n) {
      this.buckets[b] = n.hnext;
    } else {
      while (p !== null && p.hnext !== n) p = p.hnext;
      if (p === null) throw new Error(`NodeIndex: key ${n.key} is not indexed here`);
      p.hnext = n.hnext;
    }
    n.hnext = null;
    this.size--;
  }

  /** Every indexed node, in bucket order. */
  values(): N[] {
    const out: N[] = [];
    for (let b of this.buckets) for (; b !== null; b = b.hnext) out.push(b as N);
    return out;
  }

  private grow(): void {
    const nodes = this.values();
    const n = this.buckets.length * 2;
    this.buckets = new Array<IndexedNode | null>(n).fill(null);
    this.shift--;
    for (const x of nodes) {
      const b = x.hash >>> this.shift;
      x.hnext = this.buckets[b];
      this.buckets[b] = x;
    }
  }
}

/**
 * A key's hash, 30 bits (so V8 never boxes it), multiplicative: the key's high 32 bits spread
 * and folded into its low 32 bits, times the golden ratio; buckets take the top bits, which
 * every input bit reaches (offsets are multiples of a large power of two: their low bits are
 * all zero, so a hash whose low bits chose the bucket would pile them into a few).
 */
export function hashOf(key: number): number {
  // × 2^-32 is exact (a power of two) and cheaper than the division it stands for.
  const hi = (key * 2.3283064365386963e-10) >>> 0;
  return Math.imul((key >>> 0) ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1) >>> 2;
}
