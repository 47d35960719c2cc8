/** The S3-FIFO eviction policy (Yang et al.). */
import type { EvictionPolicy } from '../policy.js';
import { DList, GhostList, Node, NodePool } from './dlist.js';

const SMALL = 1;
const MAIN = 2;
const MAX_FREQ = 3;

/**
 * S3-FIFO (Yang et al., SOSP '23, Algorithm 1): three FIFO queues.
 * - S, small: 10% of the capacity (at least 1 entry); every new key enters here, frequency 0.
 * - M, main: the rest; a key found in the ghost queue enters here instead, frequency 0.
 * - G, ghost: keys evicted from S, as many as M holds (oldest dropped first).
 * A hit raises the entry's frequency, capped at 3 (two bits); nothing moves.
 * To evict: if |S| >= its share, evict from S, else from M.
 * - From S: the tail moves to M (frequency reset) if its frequency is > 1, as Algorithm 1
 *   and libCacheSim's default (move-to-main threshold 2) have it; else it is evicted into G.
 *   Repeat until one is evicted. A promoted entry starts M with frequency 0 (libCacheSim).
 * - From M (a CLOCK with a 2-bit counter): a tail with frequency > 0 is reinserted at the head
 *   with frequency - 1; the first with 0 is evicted.
 * As in Algorithm 1, whether a new key is in G is checked when it is inserted, after the
 * evictions made for it (libCacheSim checks at lookup, before them: the two differ only when
 * the key is G's oldest and an eviction from S pushes it out).
 * One victim per call: when promotions leave M above its share, the next victim comes from M
 * (as libCacheSim's S3FIFO.c does), instead of Algorithm 1's nested evictM inside evictS,
 * which would evict two entries for one miss.
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
  private readonly nodes = new Map<number, Node>();
  private readonly pool = new NodePool();
  private readonly small = new DList();
  private readonly main = new DList();
  private readonly ghost = new GhostList(0);
  private smallTarget = 1;

  constructor(
    capacity = 1,
    private readonly smallRatio = 0.1,
    /** Hits in S needed to move to M: Algorithm 1's "freq > 1". */
    private readonly moveToMain = 2,
  ) {
    this.setCapacity(capacity);
  }

  setCapacity(capacity: number): void {
    this.smallTarget = Math.max(1, Math.floor(capacity * this.smallRatio));
    this.ghost.limit = Math.max(0, capacity - this.smallTarget);
  }

  inserted(key: number): void {
    const n = this.pool.get(key);
    this.nodes.set(key, n);
    if (this.ghost.take(key)) {
      n.list = MAIN;
      this.main.pushHead(n);
    } else {
      n.list = SMALL;
      this.small.pushHead(n);
    }
  }

  accessed(key: number): void {
    const n = this.nodes.get(key);
    if (n !== undefined && n.bits < MAX_FREQ) n.bits++;
  }

  removed(key: number): void {
    const n = this.nodes.get(key);
    if (n === undefined) return;
    this.nodes.delete(key);
    if (n.list === SMALL) {
      this.small.remove(n);
      this.ghost.add(key);
    } else {
      this.main.remove(n);
    }
    this.pool.put(n);
  }

  victim(evictable: (key: number) => boolean): number | undefined {
    if (this.small.size >= this.smallTarget || this.main.size === 0) {
      return this.fromSmall(evictable) ?? this.fromMain(evictable);
    }
    return this.fromMain(evictable) ?? this.fromSmall(evictable);
  }

  sizes(): { resident: number; ghost: number } {
    return { resident: this.small.size + this.main.size, ghost: this.ghost.size };
  }

  /** Queues, head (newest) first, and frequencies; for tests. */
  state(): { small: number[]; main: number[]; ghost: number[]; freq: Map<number, number> } {
    const freq = new Map<number, number>();
    for (const [k, n] of this.nodes) freq.set(k, n.bits);
    return { small: this.small.keys(), main: this.main.keys(), ghost: this.ghost.keys(), freq };
  }

  private fromSmall(evictable: (key: number) => boolean): number | undefined {
    const small = this.small;
    let n = small.tail();
    while (n !== undefined) {
      const newer = small.newer(n);
      if (n.bits >= this.moveToMain) {
        small.remove(n);
        n.bits = 0;
        n.list = MAIN;
        this.main.pushHead(n);
      } else if (evictable(n.key)) {
        return n.key;
      }
      n = newer;
    }
    return undefined;
  }

  private fromMain(evictable: (key: number) => boolean): number | undefined {
    const main = this.main;
    let inUseRun = 0;
    for (;;) {
      const n = main.tail();
      if (n === undefined || inUseRun >= main.size) return undefined;
      if (n.bits > 0) {
        n.bits--;
        inUseRun = 0;
      } else if (evictable(n.key)) {
        return n.key;
      } else {
        inUseRun++;
      }
      main.moveToHead(n);
    }
  }
}
