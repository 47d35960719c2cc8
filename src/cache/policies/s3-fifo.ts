/** The S3-FIFO eviction policy (Yang et al.). */
import type { EvictionPolicy } from '../policy.js';
import { DList, GhostList, type Node } from './dlist.js';

const SMALL = 1;
const MAIN = 2;
const MAX_FREQ = 3;

/**
 * S3-FIFO (Yang et al., SOSP '23, Algorithm 1), exact to libCacheSim's S3FIFO.c (defaults:
 * small 10 %, ghost 90 %, move-to-main threshold 2) on any stream without concurrency:
 * - S, small: floor(capacity x 0.1) entries (at least 1); every new key enters here, frequency 0.
 * - M, main: the rest; a key found in the ghost queue enters here instead, frequency 0.
 * - G, ghost: keys evicted from S, at most floor(capacity x 0.9) (oldest dropped first).
 * A hit raises the entry's frequency, capped at 3 (two bits); nothing moves.
 * To evict: from M if M holds more than its share (capacity - S's share) or S is empty, else
 * from S.
 * - From S: the tail moves to M (frequency reset to 0) if its frequency is >= 2; else it is
 *   evicted into G. Repeat until one is evicted.
 * - From M (a CLOCK with a 2-bit counter): a tail with frequency > 0 is reinserted at the head
 *   with frequency - 1; the first with 0 is evicted.
 * As in libCacheSim, whether a missed key is in G is decided before the evictions made for it
 * (the key leaves G then, so an eviction into G cannot push it out): the first `victim` call
 * for an incoming key takes it out of G, or `inserted` does when the cache had room.
 * One victim per call: when promotions leave M above its share, the next victim comes from M.
 * Below capacity 20 libCacheSim's S3FIFO admits nothing (its S must be larger than an object),
 * so there the reference is Algorithm 1 with S at least 1 entry.
 *
 * In use: in S (a FIFO) an in-use entry that is not promoted is skipped in place and the scan
 * goes on toward newer entries; in M (a CLOCK) an in-use entry with frequency 0 goes to the
 * head as if the hand passed it. If the preferred queue has only in-use entries, the other
 * queue is scanned the same way. An entry leaving S by eviction (or by the cache's clear)
 * enters G; one leaving M does not.
 */
export class S3FifoPolicy implements EvictionPolicy {
  readonly name = 's3-fifo';
  readonly respectsInUse = true;
  private readonly small = new DList();
  private readonly main = new DList();
  private readonly ghost = new GhostList(0);
  private smallTarget = 1;
  private mainTarget = 0;
  /** The incoming key whose ghost check is done (by victim), and whether it was in G; NaN
   * for none (a number, never undefined: V8 then stores keys past 2^30 in place, unboxed). */
  private pendingKey = Number.NaN;
  private pendingGhost = false;

  constructor(
    capacity = 1,
    private readonly smallRatio = 0.1,
    private readonly ghostRatio = 0.9,
    /** Hits in S needed to move to M: Algorithm 1's "freq > 1". */
    private readonly moveToMain = 2,
  ) {
    this.setCapacity(capacity);
  }

  setCapacity(capacity: number): void {
    this.smallTarget = Math.max(1, Math.floor(capacity * this.smallRatio));
    this.mainTarget = capacity - this.smallTarget;
    this.ghost.limit = Math.max(0, Math.floor(capacity * this.ghostRatio));
  }

  inserted(n: Node): void {
    const key = n.key;
    const fromGhost = this.pendingKey === key ? this.pendingGhost : this.ghost.take(key);
    this.pendingKey = Number.NaN;
    this.pendingGhost = false;
    n.bits = 0;
    if (fromGhost) {
      n.list = MAIN;
      this.main.pushHead(n);
    } else {
      n.list = SMALL;
      this.small.pushHead(n);
    }
  }

  accessed(n: Node): void {
    if (n.bits < MAX_FREQ) n.bits++;
  }

  removed(n: Node): void {
    if (n.list === SMALL) {
      this.small.remove(n);
      this.ghost.add(n.key, n.hash);
    } else {
      this.main.remove(n);
    }
  }

  victim(evictable: (n: Node) => boolean, incoming?: number): Node | undefined {
    if (incoming !== undefined && incoming !== this.pendingKey) {
      this.pendingKey = incoming;
      this.pendingGhost = this.ghost.take(incoming);
    }
    if (this.main.size > this.mainTarget || this.small.size === 0) {
      return this.fromMain(evictable) ?? this.fromSmall(evictable);
    }
    return this.fromSmall(evictable) ?? this.fromMain(evictable);
  }

  sizes(): { resident: number; ghost: number } {
    return { resident: this.small.size + this.main.size, ghost: this.ghost.size };
  }

  /** Queues, head (newest) first, and frequencies; for tests. */
  state(): { small: number[]; main: number[]; ghost: number[]; freq: Map<number, number> } {
    const freq = new Map<number, number>();
    for (const q of [this.small, this.main]) {
      for (let n = q.head(); n !== undefined; n = q.older(n)) freq.set(n.key, n.bits);
    }
    return { small: this.small.keys(), main: this.main.keys(), ghost: this.ghost.keys(), freq };
  }

  private fromSmall(evictable: (n: Node) => boolean): Node | undefined {
    const small = this.small;
    let n = small.tail();
    while (n !== undefined) {
      const newer = small.newer(n);
      if (n.bits >= this.moveToMain) {
        small.remove(n);
        n.bits = 0;
        n.list = MAIN;
        this.main.pushHead(n);
      } else if (evictable(n)) {
        return n;
      }
      n = newer;
    }
    return undefined;
  }

  private fromMain(evictable: (n: Node) => boolean): Node | undefined {
    const main = this.main;
    let inUseRun = 0;
    for (;;) {
      const n = main.tail();
      if (n === undefined || inUseRun >= main.size) return undefined;
      if (n.bits > 0) {
        n.bits--;
        inUseRun = 0;
      } else if (evictable(n)) {
        return n;
      } else {
        inUseRun++;
      }
      main.moveToHead(n);
    }
  }
}
