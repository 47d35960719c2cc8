import type { EvictionPolicy } from '../policy.js';

/**
 * QEMU's L2 cache order: first in, first out; a hit does not move an entry.
 * Safe variant (QEMU since 2012): the oldest entry that is not in use goes.
 * A JS Map keeps insertion order, so the scan starts at the oldest key.
 */
export class FifoPolicy implements EvictionPolicy {
  readonly name: string = 'fifo';
  readonly respectsInUse: boolean = true;
  protected readonly order = new Set<number>();

  inserted(key: number): void {
    this.order.add(key);
  }

  accessed(): void {}

  removed(key: number): void {
    this.order.delete(key);
  }

  victim(evictable: (key: number) => boolean): number | undefined {
    for (const key of this.order) {
      if (evictable(key)) return key;
    }
    return undefined;
  }
}

/** QEMU before "qed: do not evict in-use L2 table cache entries": the oldest goes, in use or not. */
export class FifoUnsafePolicy extends FifoPolicy {
  override readonly name = 'fifo-unsafe';
  override readonly respectsInUse = false;

  override victim(): number | undefined {
    for (const key of this.order) return key;
    return undefined;
  }
}
