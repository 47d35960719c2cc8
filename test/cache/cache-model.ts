import type { CacheEntry } from '../../src/cache/l2-cache.js';

/**
 * A reference model of the L2 cache, written from QED-FACTS.md rather than from the code:
 * FIFO order, evict before insert, "fifo" skips entries with ref > 1, "fifo-unsafe" does not.
 * Each model entry mirrors one real entry object so refs can be compared by identity.
 */
export interface ModelEntry {
  readonly real: CacheEntry<number>;
  readonly key: number;
  ref: number;
  cached: boolean;
}

export class CacheModel {
  /** Cached entries, oldest first. */
  readonly order: ModelEntry[] = [];
  readonly loading = new Map<number, number>();
  lookups = 0;
  hits = 0;
  misses = 0;
  loads = 0;
  duplicateLoads = 0;
  commits = 0;
  duplicateCommits = 0;
  evictions = 0;
  evictionsInUse = 0;
  inUseSkips = 0;
  peakEntries = 0;
  peakOverCapacity = 0;
  overCapacityEpisodes = 0;
  requestsCompletedOverCapacity = 0;
  private over = false;

  constructor(
    readonly capacity: number,
    readonly safe: boolean,
  ) {}

  get size(): number {
    return this.order.length;
  }

  cached(key: number): ModelEntry | undefined {
    return this.order.find((e) => e.key === key);
  }

  find(key: number): ModelEntry | undefined {
    this.lookups++;
    const e = this.cached(key);
    if (!e) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    e.ref++;
    return e;
  }

  beginLoad(key: number): void {
    this.loads++;
    const n = this.loading.get(key) ?? 0;
    if (n > 0) this.duplicateLoads++;
    this.loading.set(key, n + 1);
  }

  endLoad(key: number): void {
    this.loading.set(key, (this.loading.get(key) ?? 1) - 1);
  }

  /** Returns the entry that is cached for the key afterwards (the existing one on a duplicate). */
  commit(e: ModelEntry): ModelEntry {
    const existing = this.cached(e.key);
    if (existing) {
      this.duplicateCommits++;
      e.ref--;
      return existing;
    }
    this.commits++;
    this.shrink(this.capacity - 1);
    e.cached = true;
    this.order.push(e);
    return e;
  }

  unref(e: ModelEntry): void {
    e.ref--;
    if (e.cached && e.ref === 1 && this.size > this.capacity) {
      this.shrink(this.capacity);
    }
  }

  requestCompleted(): void {
    if (this.size > this.capacity) this.requestsCompletedOverCapacity++;
  }

  private shrink(limit: number): void {
    while (this.size > limit) {
      let i = 0;
      if (this.safe) {
        // Each victim search counts every in-use entry it passes as one skip.
        i = this.order.findIndex((e) => e.ref <= 1);
        this.inUseSkips += i === -1 ? this.size : i;
        if (i === -1) return;
      }
      const [victim] = this.order.splice(i, 1);
      if (victim.ref > 1) this.evictionsInUse++;
      this.evictions++;
      victim.cached = false;
      victim.ref--;
    }
  }

  /** Called by the driver after every step: peaks and episodes are tracked over time. */
  observe(): void {
    this.peakEntries = Math.max(this.peakEntries, this.size);
    this.peakOverCapacity = Math.max(this.peakOverCapacity, this.size - this.capacity);
    const over = this.size > this.capacity;
    if (over && !this.over) this.overCapacityEpisodes++;
    this.over = over;
  }
}
