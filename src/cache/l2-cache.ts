/** The ref-counted L2 table cache: entries in use stay, eviction order comes from a policy. */
import { DList, Node } from './policies/dlist.js';
import { hashOf, NodeIndex } from './node-index.js';
import type { EvictionPolicy } from './policy.js';

/**
 * One cached (or about to be cached) table. `ref` counts holders: the cache holds one while
 * the entry is cached, each request that found or allocated it holds one. ref > 1 on a
 * cached entry means a request is using it ("in use").
 */
export interface CacheEntry<T> {
  readonly offset: number;
  table: T;
  ref: number;
  cached: boolean;
}

/**
 * What alloc makes: a CacheEntry that is also the policy's node (its per-entry state lives here,
 * as libCacheSim keeps it on cache_obj_t), so a hit, a victim's in-use check and a removal cost
 * no lookup on either side.
 */
class Entry<T> extends Node implements CacheEntry<T> {
  ref = 1;
  cached = false;

  constructor(
    offset: number,
    public table: T,
    hash = hashOf(offset),
  ) {
    super(offset, hash);
  }

  get offset(): number {
    return this.key;
  }

  /** Make a freed entry (off every list, no reference) a fresh one for another table. */
  reset(offset: number, table: T, hash: number): void {
    this.setKey(offset, hash);
    this.table = table;
    this.ref = 1;
    this.cached = false;
    this.bits = 0;
    this.list = 0;
  }
}

/** Counters owned by the cache; names as in docs/design.md. */
export interface CacheStats {
  capacity: number;
  policy: string;
  lookups: number;
  hits: number;
  misses: number;
  loads: number;
  duplicateLoads: number;
  commits: number;
  duplicateCommits: number;
  evictions: number;
  evictionsInUse: number;
  inUseSkips: number;
  entries: number;
  peakEntries: number;
  peakOverCapacity: number;
  overCapacityEpisodes: number;
  requestsCompletedOverCapacity: number;
}

/**
 * Write-through, reference-counted L2 table cache keyed by table offset. Lookup is a hash index
 * chained through the entries (O(1)); which entry leaves is the policy's choice. Under a policy that respects in-use
 * entries the cache grows past capacity when every entry is in use and shrinks back as soon
 * as references drop.
 *
 * Hot path: a hit is one index lookup plus the policy's own work; a miss that evicts is the miss
 * lookup (the one hash computed), an unlink and a link. The policy works on the entries themselves (they are its nodes).
 */
export class L2Cache<T> {
  private readonly map: NodeIndex<Entry<T>>;
  /**
   * Tables being loaded (offsets, and how many loads of each): a few, at most one per request in
   * flight, so a scan of a short array, not a Map whose set and delete per miss cost more.
   */
  private readonly loadingAt: number[] = [];
  private readonly loadingN: number[] = [];
  /**
   * Tables of entries nobody holds any more (evicted, dropped as duplicates), for the next load:
   * at steady state a miss reuses the buffer an earlier miss evicted and allocates nothing. An
   * entry's table comes here only when its last reference goes, so no holder and no in-flight
   * load (whose table is in no entry yet) can see it reused. At most `capacity` are kept, each in
   * the entry that held it (indexed by its table while that table has none kept; its policy
   * links free for the order kept, oldest at the tail): a load of that table again takes it back
   * (an in-memory device then need not copy bytes the buffer still holds).
   */
  private readonly kept: NodeIndex<Entry<T>>;
  private readonly keptOrder = new DList();
  /** Spare tables kept by no entry: a duplicate load's second copy. */
  private readonly loose: T[] = [];
  private readonly s: CacheStats;

  constructor(
    readonly capacity: number,
    private readonly policy: EvictionPolicy,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`cache capacity must be a whole number of tables >= 1, got ${capacity}`);
    }
    policy.setCapacity?.(capacity);
    this.map = new NodeIndex<Entry<T>>(capacity + 1);
    this.kept = new NodeIndex<Entry<T>>(capacity);
    this.s = {
      capacity,
      policy: policy.name,
      lookups: 0,
      hits: 0,
      misses: 0,
      loads: 0,
      duplicateLoads: 0,
      commits: 0,
      duplicateCommits: 0,
      evictions: 0,
      evictionsInUse: 0,
      inUseSkips: 0,
      entries: 0,
      peakEntries: 0,
      peakOverCapacity: 0,
      overCapacityEpisodes: 0,
      requestsCompletedOverCapacity: 0,
    };
  }

  get size(): number {
    return this.map.size;
  }

  get policyName(): string {
    return this.policy.name;
  }

  /** A hit returns the entry with a new reference for the caller; a miss returns undefined. */
  find(offset: number): CacheEntry<T> | undefined {
    this.s.lookups++;
    const e = this.map.get(offset);
    if (!e) {
      this.s.misses++;
      return undefined;
    }
    this.s.hits++;
    e.ref++;
    this.policy.accessed(e);
    return e;
  }

  /** A new reference to an entry known to be cached, without counting a lookup. */
  acquire(offset: number): CacheEntry<T> {
    const e = this.map.get(offset);
    if (!e) throw new Error(`L2 cache: table ${offset} is not cached`);
    e.ref++;
    return e;
  }

  /**
   * A table no entry holds any more, to load the table at `offset` into: the one that table left,
   * if kept; else a loose one; else, while fewer than `capacity` are kept, none (the caller makes
   * one, and the kept ones wait for their tables' next miss); else the one kept longest. Without
   * `offset` (a new table), any. Undefined if none is spare.
   */
  spare(offset?: number): T | undefined {
    let e = offset === undefined ? undefined : this.kept.get(offset);
    if (e === undefined) {
      if (this.loose.length > 0) return this.loose.pop();
      if (this.kept.size === 0 || (offset !== undefined && this.kept.size < this.capacity)) return undefined;
      e = this.keptOrder.tail() as Entry<T>;
    }
    this.unkeep(e);
    return e.table;
  }

  private unkeep(e: Entry<T>): void {
    this.kept.delete(e);
    this.keptOrder.remove(e);
  }

  /** A fresh entry with one reference (the caller's), not yet in the cache. */
  alloc(offset: number, table: T): CacheEntry<T> {
    return new Entry(offset, table);
  }

  /**
   * A simulator's whole access in one call: find, and on a miss alloc, commit and acquire, then
   * unref; the same counters and the same evictions as those five calls, without their per-access
   * allocation and second lookups. For a cache used only as a simulator (no caller holds an
   * entry), so the entry an eviction frees is taken for the incoming table. True on a hit.
   */
  access(offset: number, table: T): boolean {
    const s = this.s;
    s.lookups++;
    const h = hashOf(offset);
    const hit = this.map.getHashed(offset, h);
    if (hit !== undefined) {
      s.hits++;
      this.policy.accessed(hit);
    } else {
      s.misses++;
      s.commits++;
      this.freed = undefined;
      this.shrink(this.capacity - 1, offset);
      const e = this.freed ?? new Entry(offset, table, h);
      this.freed = undefined;
      if (e.owner === this.keptOrder) this.unkeep(e); // its table is the incoming one's now
      if (e.ref === 0) e.reset(offset, table, h);
      e.cached = true;
      this.map.add(e);
      this.policy.inserted(e);
      this.noteSize();
    }
    // What unref does when the caller lets go (a shrink back only after an over-capacity commit).
    if (this.map.size > this.capacity) {
      this.shrink();
      this.overNow = this.map.size > this.capacity;
    }
    return hit !== undefined;
  }

  /**
   * Put an entry in the cache; the caller's reference becomes the cache's. If the offset is
   * already cached the new copy is dropped, as QEMU does.
   */
  commit(ce: CacheEntry<T>): void {
    const entry = ce as Entry<T>;
    if (entry.cached) throw new Error(`L2 cache: table ${entry.offset} committed twice`);
    if (this.map.has(entry.offset)) {
      this.s.duplicateCommits++;
      this.drop(entry);
      return;
    }
    this.s.commits++;
    // Make room first, as QEMU does: the new entry, held only by the cache until the caller
    // acquires it, must not be its own victim when every older entry is in use.
    this.shrink(this.capacity - 1, entry.offset);
    entry.cached = true;
    this.map.add(entry);
    this.policy.inserted(entry);
    this.noteSize();
  }

  /** alloc, commit and acquire in one (a loaded table): the entry cached for `offset`, with a reference for the caller, looked up once. */
  commitAcquire(offset: number, table: T): CacheEntry<T> {
    const e = this.alloc(offset, table);
    this.commit(e);
    if (!e.cached) return this.acquire(offset); // a duplicate commit: the copy cached first stays
    e.ref++;
    return e;
  }

  /** Drop the caller's reference; if that frees a cached entry while over capacity, shrink. */
  unref(entry: CacheEntry<T>): void {
    if (entry.ref <= 0) throw new Error(`L2 cache: table ${entry.offset} released more often than acquired`);
    this.drop(entry as Entry<T>);
    if (entry.cached && entry.ref === 1 && this.map.size > this.capacity) {
      this.shrink();
      this.overNow = this.map.size > this.capacity;
    }
  }

  /** The engine starts reading a table after a miss; a second concurrent load is a duplicate. */
  beginLoad(offset: number): void {
    this.s.loads++;
    const i = this.loadingAt.indexOf(offset);
    if (i < 0) {
      this.loadingAt.push(offset);
      this.loadingN.push(1);
      return;
    }
    this.s.duplicateLoads++;
    this.loadingN[i]++;
  }

  endLoad(offset: number): void {
    const i = this.loadingAt.indexOf(offset);
    if (i < 0) return;
    if (--this.loadingN[i] > 0) return;
    // Swap with the last: the order of the list means nothing.
    const last = this.loadingAt.length - 1;
    this.loadingAt[i] = this.loadingAt[last];
    this.loadingN[i] = this.loadingN[last];
    this.loadingAt.pop();
    this.loadingN.pop();
  }

  /** A request finished; counted if the cache was past capacity at that moment. */
  requestCompleted(): void {
    if (this.map.size > this.capacity) this.s.requestsCompletedOverCapacity++;
  }

  /** Start peak counters afresh from the current size (at the start of a replay phase). */
  resetPeaks(): void {
    this.s.peakEntries = this.map.size;
    this.s.peakOverCapacity = Math.max(0, this.map.size - this.capacity);
  }

  /** Remove every entry that is not in use (close, or tests). */
  clear(): void {
    for (const e of this.map.values()) {
      if (e.ref <= 1) this.remove(e);
    }
    this.overNow = this.map.size > this.capacity;
  }

  isCached(offset: number): boolean {
    return this.map.has(offset);
  }

  stats(): CacheStats {
    return { ...this.s, entries: this.map.size };
  }

  /**
   * Evict until at most `limit` entries (default: capacity) or nothing more may go.
   * `incoming` is the table a commit is making room for (the policy may want to know).
   */
  private shrink(limit: number = this.capacity, incoming?: number): void {
    while (this.map.size > limit) {
      const e = this.policy.victim(this.evictable, incoming) as Entry<T> | undefined;
      if (e === undefined) break;
      if (!e.cached) throw new Error(`L2 cache: policy ${this.policy.name} chose table ${e.key}, which is not cached`);
      if (e.ref > 1) {
        if (this.policy.respectsInUse) {
          throw new Error(`L2 cache: policy ${this.policy.name} chose in-use table ${e.offset}`);
        }
        this.s.evictionsInUse++;
      }
      this.s.evictions++;
      this.remove(e);
    }
  }

  private remove(e: Entry<T>): void {
    this.map.delete(e);
    this.policy.removed(e);
    e.cached = false;
    this.drop(e);
  }

  /** One reference goes; the last one gives the table back for reuse (and the entry to `access`). */
  private drop(e: Entry<T>): void {
    if (--e.ref !== 0) return;
    this.freed = e;
    if (this.kept.size + this.loose.length >= this.capacity) return;
    if (this.kept.has(e.key)) this.loose.push(e.table);
    else {
      this.kept.add(e);
      this.keptOrder.pushHead(e);
    }
  }

  /** The last entry whose last reference went, while `access` makes room: it is reused at once. */
  private freed: Entry<T> | undefined = undefined;

  private noteSize(): void {
    const n = this.map.size;
    if (n > this.s.peakEntries) this.s.peakEntries = n;
    const over = n - this.capacity;
    if (over > this.s.peakOverCapacity) this.s.peakOverCapacity = over;
    if (over > 0 && !this.overNow) this.s.overCapacityEpisodes++;
    this.overNow = over > 0;
  }

  /** Whether the cache is past capacity now: an episode ends when it is back at capacity. */
  private overNow = false;

  /** What policies ask before choosing a victim: false for an in-use entry, counted as a skip. */
  private readonly evictable = (n: Node): boolean => {
    if ((n as Entry<T>).ref <= 1) return true;
    this.s.inUseSkips++;
    return false;
  };
}
