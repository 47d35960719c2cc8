/** The 2Q eviction policy (Johnson & Shasha). */
import type { EvictionPolicy } from '../policy.js';
import { DList, GhostList, type Node } from './dlist.js';

const A1IN = 1;
const AM = 2;

/**
 * 2Q, the full version (Johnson & Shasha, VLDB '94), as libCacheSim's TwoQ.c:
 * - A1in: FIFO of entries seen once recently; a hit there changes nothing.
 * - Am: LRU of entries seen again after leaving A1in; a hit moves the entry to its head.
 * - A1out: ghost FIFO of keys evicted from A1in (keys only).
 * A miss on a key in A1out enters Am; any other miss enters A1in. To make room
 * (the paper's reclaimfor): if |A1in| > Kin the tail of A1in goes and its key enters A1out
 * (whose oldest key is dropped beyond Kout); otherwise the tail of Am goes, remembered nowhere.
 * Kin = 25% and Kout = 50% of the capacity, the paper's recommended tuning (Kin at least 1).
 * Whether a miss is in A1out is decided before reclaimfor, as the paper's branch is: the key
 * leaves A1out on the first `victim(…, key)` of its commit (or on insert when no room was
 * needed), so the key reclaimfor pushes into A1out cannot push the incoming one out first.
 *
 * In use: within a queue the scan starts at the tail and skips in-use entries in place (A1in
 * stays FIFO, Am stays LRU). If the queue reclaimfor prefers has only in-use entries, the other
 * queue gives its oldest free entry instead; an entry leaving A1in always enters A1out.
 */
export class TwoQPolicy implements EvictionPolicy {
  readonly name = '2q';
  readonly respectsInUse = true;
  private readonly a1in = new DList();
  private readonly am = new DList();
  private readonly a1out: GhostList;
  private kin: number;
  /** The incoming key victim() already looked up in A1out, and whether it was there; NaN
   * for none (a number, never undefined: V8 then stores keys past 2^30 in place, unboxed). */
  private pendingKey = Number.NaN;
  private pendingGhost = false;

  /** Ratios of the capacity; the defaults are the paper's. */
  constructor(
    capacity = 1,
    private readonly kinRatio = 0.25,
    private readonly koutRatio = 0.5,
  ) {
    this.kin = 1;
    this.a1out = new GhostList(0);
    this.setCapacity(capacity);
  }

  setCapacity(capacity: number): void {
    this.kin = Math.max(1, Math.floor(capacity * this.kinRatio));
    this.a1out.limit = Math.floor(capacity * this.koutRatio);
  }

  inserted(n: Node): void {
    const key = n.key;
    const ghost = this.pendingKey === key ? this.pendingGhost : this.a1out.take(key);
    this.pendingKey = Number.NaN;
    this.pendingGhost = false;
    if (ghost) {
      n.list = AM;
      this.am.pushHead(n);
    } else {
      n.list = A1IN;
      this.a1in.pushHead(n);
    }
  }

  accessed(n: Node): void {
    if (n.list === AM) this.am.moveToHead(n);
  }

  removed(n: Node): void {
    if (n.list === A1IN) {
      this.a1in.remove(n);
      this.a1out.add(n.key, n.hash);
    } else {
      this.am.remove(n);
    }
  }

  victim(evictable: (n: Node) => boolean, incoming?: number): Node | undefined {
    if (incoming !== undefined && incoming !== this.pendingKey) {
      this.pendingKey = incoming;
      this.pendingGhost = this.a1out.take(incoming);
    }
    if (this.a1in.size > this.kin) {
      return this.a1in.oldestWhere(evictable) ?? this.am.oldestWhere(evictable);
    }
    return this.am.oldestWhere(evictable) ?? this.a1in.oldestWhere(evictable);
  }

  sizes(): { resident: number; ghost: number } {
    return { resident: this.a1in.size + this.am.size, ghost: this.a1out.size };
  }

  /** Queue contents, head (newest) first; for tests. */
  queues(): { a1in: number[]; am: number[]; a1out: number[] } {
    return { a1in: this.a1in.keys(), am: this.am.keys(), a1out: this.a1out.keys() };
  }
}
