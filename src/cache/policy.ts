/**
 * An eviction policy orders cached keys (L2 table offsets) for eviction. It sees inserts,
 * hits and removals; the cache asks it for a victim and tells it which keys are in use.
 */
export interface EvictionPolicy {
  readonly name: string;
  /** False only for policies that reproduce QEMU before the 2012 fix (evict in-use entries). */
  readonly respectsInUse: boolean;
  /** A key entered the cache (after a miss and a load). */
  inserted(key: number): void;
  /** A cached key was found again. */
  accessed(key: number): void;
  /** A key left the cache (evicted by this policy's choice or dropped by the cache). */
  removed(key: number): void;
  /**
   * The next key to evict, or undefined if none may go. `evictable(key)` is false for an
   * in-use key (the cache counts each such answer as an in-use skip); a policy that
   * respects in-use entries must not return one.
   */
  victim(evictable: (key: number) => boolean): number | undefined;
}
