import type { EvictionPolicy } from '../policy.js';
import { DList, Node, NodePool } from './dlist.js';

/**
 * QEMU's L2 cache order: first in, first out; a hit does not move an entry.
 * Safe variant (QEMU since 2012): the oldest entry that is not in use goes.
 * The scan starts at the oldest key and skips in-use entries in place.
 */
export class FifoPolicy implements EvictionPolicy {
  readonly name: string = 'fifo';
  readonly respectsInUse: boolean = true;
  private readonly nodes = new Map<number, Node>();
  private readonly pool = new NodePool();
  /** Newest at the head, oldest at the tail. */
  protected readonly order = new DList();

  inserted(key: number): void {
    const n = this.pool.get(key);
    this.nodes.set(key, n);
    this.order.pushHead(n);
  }

  accessed(): void {}

  removed(key: number): void {
    const n = this.nodes.get(key);
    if (n === undefined) return;
    this.nodes.delete(key);
    this.order.remove(n);
    this.pool.put(n);
  }

  victim(evictable: (key: number) => boolean): number | undefined {
    return this.order.oldestWhere(evictable)?.key;
  }

  sizes(): { resident: number; ghost: number } {
    return { resident: this.order.size, ghost: 0 };
  }
}

/** QEMU before "qed: do not evict in-use L2 table cache entries": the oldest goes, in use or not. */
export class FifoUnsafePolicy extends FifoPolicy {
  override readonly name = 'fifo-unsafe';
  override readonly respectsInUse = false;

  override victim(): number | undefined {
    return this.order.tail()?.key;
  }
}
