/** QEMU's FIFO eviction order: the safe variant (since 2012) and the unsafe one before it. */
import type { Node } from './dlist.js';
import { ListPolicy } from './list-policy.js';

/**
 * QEMU's L2 cache order: first in, first out; a hit does not move an entry.
 * Safe variant (QEMU since 2012): the oldest entry that is not in use goes.
 * The scan starts at the oldest key and skips in-use entries in place.
 */
export class FifoPolicy extends ListPolicy {
  readonly name: string = 'fifo';
  readonly respectsInUse: boolean = true;

  touched(): void {}

  victimNode(ok: (n: Node) => boolean): Node | undefined {
    return this.list.oldestWhere(ok);
  }
}

/** QEMU before "qed: do not evict in-use L2 table cache entries": the oldest goes, in use or not. */
export class FifoUnsafePolicy extends FifoPolicy {
  override readonly name = 'fifo-unsafe';
  override readonly respectsInUse = false;

  override victimNode(): Node | undefined {
    return this.list.tail();
  }
}
