/**
 * The one list shape the policies share: an intrusive, circular, doubly linked list with a
 * sentinel. Head is the newest end (most recently inserted or used), tail the oldest.
 * Every operation is O(1); nodes carry a small integer field each policy uses its own way
 * (reference bit, frequency, which queue). One node class keeps V8's property access
 * monomorphic across policies.
 */
import { hashOf, NodeIndex } from '../node-index.js';

export class Node {
  /** Toward the head (newer). The sentinel at the ends. */
  prev: Node;
  /** Toward the tail (older). */
  next: Node;
  /** Reference bit, frequency or queue id, by policy. */
  bits = 0;
  /** Which list the node is on (policies with several lists), by policy. */
  list = 0;
  /** The list holding the node, or null. */
  owner: DList | null = null;
  /** The next node of its NodeIndex bucket (see node-index.ts). */
  hnext: Node | null = null;
  /** The key (a table offset); change it only through setKey, which keeps `hash` its hash. */
  key: number;
  /** hashOf(key), kept with the key so indexing, unindexing and re-indexing never hash again. */
  hash: number;

  constructor(key: number, hash = hashOf(key)) {
    this.key = key;
    this.hash = hash;
    this.prev = this;
    this.next = this;
  }

  setKey(key: number, hash = hashOf(key)): void {
    this.key = key;
    this.hash = hash;
  }
}

export class DList {
  private readonly s = new Node(Number.NaN);
  size = 0;

  /** Newest node, or undefined if empty. */
  head(): Node | undefined {
    return this.size === 0 ? undefined : this.s.next;
  }

  /** Oldest node, or undefined if empty. */
  tail(): Node | undefined {
    return this.size === 0 ? undefined : this.s.prev;
  }

  /** The next older node than `n`, or undefined past the tail. */
  older(n: Node): Node | undefined {
    const o = n.next;
    return o === this.s ? undefined : o;
  }

  /** The next newer node than `n`, or undefined past the head. */
  newer(n: Node): Node | undefined {
    const o = n.prev;
    return o === this.s ? undefined : o;
  }

  pushHead(n: Node): void {
    const s = this.s;
    n.prev = s;
    n.next = s.next;
    s.next.prev = n;
    s.next = n;
    n.owner = this;
    this.size++;
  }

  remove(n: Node): void {
    n.prev.next = n.next;
    n.next.prev = n.prev;
    n.prev = n;
    n.next = n;
    n.owner = null;
    this.size--;
  }

  moveToHead(n: Node): void {
    const s = this.s;
    if (s.next === n) return;
    n.prev.next = n.next;
    n.next.prev = n.prev;
    n.prev = s;
    n.next = s.next;
    s.next.prev = n;
    s.next = n;
  }

  /** Remove and return the oldest node. */
  popTail(): Node | undefined {
    if (this.size === 0) return undefined;
    const n = this.s.prev;
    this.remove(n);
    return n;
  }

  /** Oldest to newest first scan for an evictable node, skipping the others in place. */
  oldestWhere(ok: (n: Node) => boolean): Node | undefined {
    const s = this.s;
    for (let n = s.prev; n !== s; n = n.prev) {
      if (ok(n)) return n;
    }
    return undefined;
  }

  /** Keys from head (newest) to tail (oldest); for tests and debugging. */
  keys(): number[] {
    const out: number[] = [];
    for (let n = this.s.next; n !== this.s; n = n.next) out.push(n.key);
    return out;
  }
}

/**
 * Spare nodes for reuse: a policy gives back the node of every removed key and takes one for
 * every insert, so a steady stream of misses allocates nothing (and nothing survives long
 * enough to burden the old generation of the garbage collector).
 */
export class NodePool {
  /** Spare nodes chained through `hnext` (free while a node is in no index): no array to grow. */
  private free: Node | null = null;
  private spare = 0;

  /** A node for `key`; `hash` when the caller has it (a key moving from an entry to a ghost). */
  get(key: number, hash = hashOf(key)): Node {
    const n = this.free;
    if (n === null) return new Node(key, hash);
    this.free = n.hnext;
    this.spare--;
    n.hnext = null;
    n.setKey(key, hash);
    n.bits = 0;
    n.list = 0;
    return n;
  }

  /** `n` must be off every list and out of every index. */
  put(n: Node): void {
    if (this.spare >= 4096) return;
    n.hnext = this.free;
    this.free = n;
    this.spare++;
  }
}

/**
 * A bounded list of keys without values (a ghost list), newest at the head: membership,
 * removal and dropping the oldest key in O(1). Beyond `limit` keys the oldest go.
 */
export class GhostList {
  private readonly map = new NodeIndex<Node>();
  private readonly list = new DList();
  private readonly pool = new NodePool();

  constructor(public limit: number) {}

  get size(): number {
    return this.list.size;
  }

  has(key: number): boolean {
    return this.map.has(key);
  }

  /** Remove the key if present; true if it was (a ghost hit). */
  take(key: number): boolean {
    const n = this.map.get(key);
    if (n === undefined) return false;
    this.map.delete(n);
    this.list.remove(n);
    this.pool.put(n);
    return true;
  }

  /** Add the key as the newest, then drop the oldest beyond the limit. */
  add(key: number, hash = hashOf(key)): void {
    this.take(key);
    if (this.limit <= 0) return;
    const n = this.pool.get(key, hash);
    this.map.add(n);
    this.list.pushHead(n);
    while (this.list.size > this.limit) this.dropOldest();
  }

  dropOldest(): void {
    const n = this.list.popTail();
    if (n === undefined) return;
    this.map.delete(n);
    this.pool.put(n);
  }

  /** Newest first; for tests. */
  keys(): number[] {
    return this.list.keys();
  }
}
