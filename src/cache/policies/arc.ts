/** The ARC eviction policy (Megiddo & Modha). */
import type { EvictionPolicy } from '../policy.js';
import { NodeIndex } from '../node-index.js';
import { DList, Node, NodePool } from './dlist.js';

const T1 = 1;
const T2 = 2;
const B1 = 3;
const B2 = 4;

/**
 * ARC (Megiddo & Modha, FAST '03, Fig. 4), with c = the cache's capacity:
 * - T1: LRU of entries seen once recently; T2: LRU of entries seen at least twice.
 * - B1, B2: ghost LRUs of keys recently evicted from T1 and T2.
 * - p: the adaptive target size of T1, 0 <= p <= c (a real number, as in the paper).
 * A hit in T1 or T2 moves the entry to the head of T2 (case I). A miss on a key in B1 raises p
 * by max(1, |B2|/|B1|) (case II), a miss on a key in B2 lowers it by max(1, |B1|/|B2|)
 * (case III); both then REPLACE and put the key at the head of T2. Any other miss (case IV)
 * trims the ghosts so that |T1|+|B1| <= c and |T1|+|T2|+|B1|+|B2| <= 2c, REPLACEs when the
 * cache is full and puts the key at the head of T1. REPLACE evicts T1's LRU entry into B1 if
 * T1 is non-empty and (|T1| > p, or |T1| = p and the request hit B2), else T2's LRU into B2.
 *
 * Mapping onto the cache's calls: `victim(evictable, x)` is REPLACE for the commit of x; the
 * first such call for x applies the ghost hit (p, and x leaves its ghost list), and
 * `inserted(x)` applies it when the cache had room and asked for no victim. The key of every
 * entry that leaves T1 or T2 enters B1 or B2 (in `removed`), and case IV's trimming runs after
 * x is inserted: dropping B1's or B2's oldest key then is the same key the paper drops before
 * REPLACE (REPLACE only adds at the MRU ends), and when |T1| = c the T1 entry REPLACE evicts
 * into B1 is the one dropped again, as the paper deletes it outright. The property tests check
 * this against a literal transcription of Fig. 4.
 *
 * In use: REPLACE's preferred list is scanned from its LRU end skipping in-use entries in
 * place; if it has only in-use entries (or is empty), the other list's least recently used
 * free entry goes, into its own ghost list. After a shrink on release (no incoming key),
 * REPLACE runs as for a miss that is in neither ghost list. When the cache is past capacity the
 * ghost bounds are enforced on removals too, so B1 + B2 never exceed 2c keys.
 */
export class ArcPolicy implements EvictionPolicy {
  readonly name = 'arc';
  readonly respectsInUse = true;
  private readonly pool = new NodePool();
  private readonly t1 = new DList();
  private readonly t2 = new DList();
  private readonly b1 = new DList();
  private readonly b2 = new DList();
  /** Ghost keys of B1 and B2 (a node's `list` says which): one lookup tells a miss's case. */
  private readonly ghosts = new NodeIndex<Node>();
  private c = 1;
  private p = 0;
  /** The key whose ghost hit has been applied and whose insert is due; NaN
   * for none (a number, never undefined: V8 then stores keys past 2^30 in place, unboxed). */
  private pendingKey = Number.NaN;
  /** Where the pending key was found: 0 in no ghost list, else T1 (B1) or T2 (B2). */
  private pendingFrom = 0;

  constructor(capacity = 1) {
    this.setCapacity(capacity);
  }

  setCapacity(capacity: number): void {
    this.c = capacity;
    this.ghosts.reserve(2 * capacity);
  }

  inserted(n: Node): void {
    this.admit(n.key);
    const from = this.pendingFrom;
    this.pendingKey = Number.NaN;
    this.pendingFrom = 0;
    if (from !== 0) {
      n.list = T2;
      this.t2.pushHead(n);
      return;
    }
    n.list = T1;
    this.t1.pushHead(n);
    this.trim();
  }

  accessed(n: Node): void {
    if (n.list === T1) {
      this.t1.remove(n);
      n.list = T2;
      this.t2.pushHead(n);
    } else {
      this.t2.moveToHead(n);
    }
  }

  removed(n: Node): void {
    // The entry leaves; a ghost node of the policy's own takes its key into B1 or B2.
    const g = this.pool.get(n.key, n.hash);
    this.ghosts.add(g);
    if (n.list === T1) {
      this.t1.remove(n);
      g.list = B1;
      this.b1.pushHead(g);
    } else {
      this.t2.remove(n);
      g.list = B2;
      this.b2.pushHead(g);
    }
    this.trim();
  }

  victim(evictable: (n: Node) => boolean, incoming?: number): Node | undefined {
    let hitB2 = false;
    if (incoming !== undefined) {
      this.admit(incoming);
      hitB2 = this.pendingFrom === T2;
    }
    const t1 = this.t1.size;
    if (t1 >= 1 && (t1 > this.p || (t1 === this.p && hitB2))) {
      return this.t1.oldestWhere(evictable) ?? this.t2.oldestWhere(evictable);
    }
    return this.t2.oldestWhere(evictable) ?? this.t1.oldestWhere(evictable);
  }

  sizes(): { resident: number; ghost: number } {
    return { resident: this.t1.size + this.t2.size, ghost: this.b1.size + this.b2.size };
  }

  /** Lists (MRU first) and p; for tests. */
  state(): { p: number; t1: number[]; t2: number[]; b1: number[]; b2: number[] } {
    return {
      p: this.p,
      t1: this.t1.keys(),
      t2: this.t2.keys(),
      b1: this.b1.keys(),
      b2: this.b2.keys(),
    };
  }

  /**
   * Case IV's bounds: |T1| + |B1| <= c, then |T1| + |T2| + |B1| + |B2| <= 2c, dropping the
   * oldest ghost keys. Within capacity only an insert can break them (moving a key from T to
   * B keeps both sums); past capacity, keys moved into B as in-use entries are released are
   * trimmed too, so the ghosts never hold more than 2c keys.
   */
  private trim(): void {
    const c = this.c;
    while (this.t1.size + this.b1.size > c && this.b1.size > 0) this.forget(this.b1);
    while (this.t1.size + this.t2.size + this.b1.size + this.b2.size > 2 * c) {
      if (this.b2.size > 0) this.forget(this.b2);
      else if (this.b1.size > 0) this.forget(this.b1);
      else break;
    }
  }

  /** Drop the oldest key of a ghost list. */
  private forget(list: DList): void {
    const n = list.popTail()!;
    this.ghosts.delete(n);
    this.pool.put(n);
  }

  /** Apply a ghost hit for `key` once: adapt p and take the key out of its ghost list. */
  private admit(key: number): void {
    if (this.pendingKey === key) return;
    this.pendingKey = key;
    const g = this.ghosts.get(key);
    if (g === undefined) {
      this.pendingFrom = 0;
      return;
    }
    const b1 = this.b1.size;
    const b2 = this.b2.size;
    if (g.list === B1) {
      this.p = Math.min(this.c, this.p + (b1 >= b2 ? 1 : b2 / b1));
      this.b1.remove(g);
      this.pendingFrom = T1;
    } else {
      this.p = Math.max(0, this.p - (b2 >= b1 ? 1 : b1 / b2));
      this.b2.remove(g);
      this.pendingFrom = T2;
    }
    this.ghosts.delete(g);
    this.pool.put(g);
  }
}
