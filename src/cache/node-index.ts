/** An intrusive hash index of policy nodes by key (table offset): the cache's and ghost lists' lookup. */
import type { Node } from './policies/dlist.js';

/**
 * Separate chaining through the nodes themselves (`hnext`), as libCacheSim chains its
 * cache_obj_t: adding or removing a node allocates nothing, and a node carries its key's hash
 * (`hash`, set with the key), so indexing, unindexing or moving a key into a ghost list hashes
 * nothing. A miss costs one hash: the lookup's, which the entry taking the key then reuses
 * (see hashOf).
 * At most one node per key; keys must not be NaN. Iteration order is not insertion order.
 */
export class NodeIndex<N extends Node = Node> {
  private buckets: (Node | null)[];
  private mask: number;
  size = 0;

  constructor(expected = 8) {
    let n = 16;
    while (n < expected * 2) n *= 2;
    this.buckets = new Array<Node | null>(n).fill(null);
    this.mask = n - 1;
  }

  get(key: number): N | undefined {
    const h = hashOf(key);
    let n = this.buckets[h & this.mask];
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
    const b = n.hash & this.mask;
    n.hnext = this.buckets[b];
    this.buckets[b] = n;
    if (++this.size > this.buckets.length) this.grow();
  }

  /** Unindex a node that is indexed here. */
  delete(n: N): void {
    const b = n.hash & this.mask;
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
    this.buckets = new Array<Node | null>(n).fill(null);
    this.mask = n - 1;
    for (const x of nodes) {
      const b = x.hash & this.mask;
      x.hnext = this.buckets[b];
      this.buckets[b] = x;
    }
  }
}

/**
 * The last key hashed and its hash: a miss looks a key up, then gives it to an entry (ARC also
 * looks it up among its ghosts). In a typed array: a double stored in a module variable would
 * be a new heap number each time.
 */
const memo = new Float64Array([Number.NaN, 0]);

/**
 * A key's hash, a small integer (below 2^30, so V8 never boxes it): the key's low and high 32
 * bits mixed (offsets are multiples of a large power of two, so the low bits alone would pile
 * every key into a few buckets): the low word's upper bits folded down, one multiply to spread
 * them up, and its upper half folded back down.
 */
export function hashOf(key: number): number {
  if (key === memo[0]) return memo[1];
  const lo = key >>> 0;
  // × 2^-32 is exact (a power of two) and cheaper than the division it stands for.
  const hi = (key * 2.3283064365386963e-10) >>> 0;
  const h = Math.imul(lo ^ (lo >>> 15) ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1);
  const hash = (h ^ (h >>> 15)) & 0x3fffffff;
  memo[0] = key;
  memo[1] = hash;
  return hash;
}
