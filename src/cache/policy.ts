/**
 * An eviction policy orders cached keys (L2 table offsets) for eviction. It sees inserts,
 * hits and removals; the cache asks it for a victim and tells it which keys are in use.
 */
export interface EvictionPolicy {
  readonly name: string;
  /** False only for policies that reproduce QEMU before the 2012 fix (evict in-use entries). */
  readonly respectsInUse: boolean;
  /**
   * The cache's capacity in tables, told once by the cache before any other call. Policies that
   * size queues or ghost lists from it (2Q, ARC, S3-FIFO) need it; the others may omit it.
   */
  setCapacity?(capacity: number): void;
  /** A key entered the cache (after a miss and a load). */
  inserted(key: number): void;
  /** A cached key was found again. */
  accessed(key: number): void;
  /** A key left the cache (evicted by this policy's choice or dropped by the cache). */
  removed(key: number): void;
  /**
   * The next key to evict, or undefined if none may go. `evictable(key)` is false for an
   * in-use key (the cache counts each such answer as an in-use skip); a policy that
   * respects in-use entries must not return one. The cache evicts the key it gets back at
   * once (and calls `removed`), so a policy may move its hand or queues while choosing.
   *
   * `incoming` is the key about to be inserted when the cache makes room for a commit
   * (`inserted(incoming)` follows that same commit), and undefined when the cache shrinks
   * back after references drop. ARC and 2Q use it: they decide what a miss does (ARC adapts
   * its target and picks the list to evict from) knowing whether the key is in a ghost list
   * before they evict for it.
   */
  victim(evictable: (key: number) => boolean, incoming?: number): number | undefined;
  /**
   * Test and report aid: how many resident keys the policy tracks (equals the cache's size)
   * and how many keys its ghost lists hold (bounded by a small multiple of the capacity).
   */
  sizes?(): { resident: number; ghost: number };
}
