/** The LFU eviction policy with aging (LFU-Aging). */
import type { EvictionPolicy } from '../policy.js';
import { DList, type Node } from './dlist.js';

/** Entries with one access count, least recently counted at the tail. */
class Bucket extends DList {
  lower: Bucket | null = null;
  higher: Bucket | null = null;
  constructor(readonly count: number) {
    super();
  }
}

/**
 * LFU, exact to libCacheSim's LFU.c on any stream without concurrency: each entry has an
 * access count, 1 on insert and + 1 per hit (unbounded); the entry with the lowest count goes,
 * among equal counts the one that reached that count first (libCacheSim keeps each count's
 * entries in arrival order; since any hit moves an entry up, that is the least recently used).
 *
 * LfuAgingPolicy (`lfu-aging`) adds aging: LFU-Aging as evaluated by Arlitt, Friedrich and Jin
 * ("Performance evaluation of Web proxy cache replacement policies", Performance Evaluation 39,
 * 2000). Counts stop at `maxCount` (their Mrefs; a hit at the cap only refreshes recency) and
 * when the average count of the cached entries exceeds `maxAverage` (their Amax), every count
 * is halved (rounded down), so entries that were popular long ago lose their hold.
 * Defaults: Amax 8, Mrefs 255.
 *
 * Counts live in the O(1) LFU structure (Shah, Mitra and Matani 2010): a list of buckets in
 * ascending count, each an LRU list of its entries; a hit moves an entry to the next bucket.
 * Halving rebuilds the buckets in O(n); it runs only after the counts grew by about
 * n·Amax/2 hits since the last one, so it costs O(1) per hit amortised. Each entry keeps the
 * tick of its last access, so when two buckets merge in a halving (2k and 2k+1 both become k)
 * their entries are merged by recency and ties stay least-recently-used first. The average is
 * checked after every hit.
 *
 * In use: the scan goes up the buckets from the lowest count and, in each, from the least
 * recent entry, skipping in-use entries in place; the first free one goes.
 */
export class LfuPolicy implements EvictionPolicy {
  readonly name: string = 'lfu';
  readonly respectsInUse = true;
  /** Cached entries. */
  private resident = 0;
  private lowest: Bucket | null = null;
  /** Sum of the counts of all cached entries. */
  private total = 0;
  /** Access clock: a node's `bits` hold the tick of its last insert or hit. */
  private tick = 0;
  /** Number of halvings so far; for tests. */
  agings = 0;

  /** Plain LFU by default: no cap, no aging (both checks never fire). */
  constructor(
    private readonly maxAverage = Number.POSITIVE_INFINITY,
    private readonly maxCount = Number.POSITIVE_INFINITY,
  ) {}

  inserted(n: Node): void {
    n.bits = ++this.tick;
    this.resident++;
    // Bucket 1 is the lowest, or the one above bucket 0 (counts halved down to 0).
    let below: Bucket | null = null;
    let b = this.lowest;
    if (b !== null && b.count === 0) {
      below = b;
      b = b.higher;
    }
    if (b === null || b.count !== 1) b = this.link(new Bucket(1), below);
    b.pushHead(n);
    this.total += 1;
  }

  accessed(n: Node): void {
    n.bits = ++this.tick;
    const b = n.owner as Bucket;
    const count = b.count;
    if (count >= this.maxCount) {
      b.moveToHead(n);
    } else {
      let up = b.higher;
      if (up === null || up.count !== count + 1) up = this.link(new Bucket(count + 1), b);
      b.remove(n);
      up.pushHead(n);
      if (b.size === 0) this.unlink(b);
      this.total += 1;
    }
    if (this.total > this.maxAverage * this.resident) this.age(); // never for plain LFU
  }

  removed(n: Node): void {
    this.resident--;
    const b = n.owner as Bucket;
    b.remove(n);
    this.total -= b.count;
    if (b.size === 0) this.unlink(b);
  }

  victim(evictable: (n: Node) => boolean): Node | undefined {
    for (let b = this.lowest; b !== null; b = b.higher) {
      const n = b.oldestWhere(evictable);
      if (n !== undefined) return n;
    }
    return undefined;
  }

  sizes(): { resident: number; ghost: number } {
    let resident = 0;
    for (let b = this.lowest; b !== null; b = b.higher) resident += b.size;
    return { resident, ghost: 0 };
  }

  /** Count of a cached key; for tests. */
  countOf(key: number): number | undefined {
    for (let b = this.lowest; b !== null; b = b.higher) {
      if (b.keys().includes(key)) return b.count;
    }
    return undefined;
  }

  /** Halve every count; buckets that merge are merged by last access, oldest at the tail. */
  private age(): void {
    this.agings++;
    let b = this.lowest;
    this.lowest = null;
    let last: Bucket | null = null;
    let total = 0;
    while (b !== null) {
      const count = Math.floor(b.count / 2);
      // At most two old buckets (2k, 2k + 1) become bucket k.
      const pair = b.higher !== null && Math.floor(b.higher.count / 2) === count ? b.higher : null;
      const into = this.link(new Bucket(count), last);
      let x = b.tail();
      let y = pair?.tail();
      while (x !== undefined || y !== undefined) {
        let n: Node;
        if (y === undefined || (x !== undefined && x.bits < y.bits)) {
          n = x!;
          x = b.newer(n);
          b.remove(n);
        } else {
          n = y;
          y = pair!.newer(n);
          pair!.remove(n);
        }
        into.pushHead(n);
        total += count;
      }
      last = into;
      b = pair === null ? b.higher : pair.higher;
    }
    this.total = total;
  }

  /** Put `b` just above `below` (at the bottom if null). */
  private link(b: Bucket, below: Bucket | null): Bucket {
    const above = below === null ? this.lowest : below.higher;
    b.lower = below;
    b.higher = above;
    if (above !== null) above.lower = b;
    if (below === null) this.lowest = b;
    else below.higher = b;
    return b;
  }

  private unlink(b: Bucket): void {
    if (b.lower === null) this.lowest = b.higher;
    else b.lower.higher = b.higher;
    if (b.higher !== null) b.higher.lower = b.lower;
    b.lower = null;
    b.higher = null;
  }
}

/** LFU with aging (see LfuPolicy): counts capped at Mrefs, halved when their average passes Amax. */
export class LfuAgingPolicy extends LfuPolicy {
  override readonly name: string = 'lfu-aging';

  constructor(maxAverage = 8, maxCount = 255) {
    super(maxAverage, maxCount);
  }
}
