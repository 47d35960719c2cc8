/**
 * An eviction policy orders cached keys (L2 table offsets) for eviction. Its per-entry state lives
 * on the cache entry itself (libCacheSim's shape: the policy's fields of cache_obj_t): every cache
 * entry is a policy Node (`key` = the table offset; `prev`, `next`, `owner`, `bits`, `list` are
 * the policy's), so neither side looks the other up. Ghost lists keep nodes of their own.
 */
import type { Node } from './policies/dlist.js';

export type { Node } from './policies/dlist.js';

export interface EvictionPolicy {
  readonly name: string;
  /** False only for policies that reproduce QEMU before the 2012 fix (evict in-use entries). */
  readonly respectsInUse: boolean;
  /**
   * The cache's capacity in tables, told once by the cache before any other call. Policies that
   * size queues or ghost lists from it (2Q, ARC, S3-FIFO) need it; the others may omit it.
   */
  setCapacity?(capacity: number): void;
  /** An entry entered the cache (after a miss and a load); its node fields are fresh. */
  inserted(n: Node): void;
  /** A cached entry was found again. */
  accessed(n: Node): void;
  /** An entry left the cache (evicted by this policy's choice or dropped by the cache). */
  removed(n: Node): void;
  /**
   * The next entry to evict, or undefined if none may go. `evictable(n)` is false for an
   * in-use entry (the cache counts each such answer as an in-use skip); a policy that
   * respects in-use entries must not return one. The cache evicts the entry it gets back at
   * once (and calls `removed`), so a policy may move its hand or queues while choosing.
   *
   * `incoming` is the key about to be inserted when the cache makes room for a commit
   * (`inserted` of it follows that same commit), and undefined when the cache shrinks
   * back after references drop. ARC, 2Q and S3-FIFO use it: they decide what a miss does
   * knowing whether the key is in a ghost list before they evict for it (libCacheSim checks
   * at lookup).
   */
  victim(evictable: (n: Node) => boolean, incoming?: number): Node | undefined;
  /**
   * Test and report aid: how many resident keys the policy tracks (equals the cache's size)
   * and how many keys its ghost lists hold (bounded by a small multiple of the capacity).
   */
  sizes?(): { resident: number; ghost: number };
}
