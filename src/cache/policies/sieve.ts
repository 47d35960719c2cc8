/** The SIEVE eviction policy (Zhang et al.). */
import type { Node } from './dlist.js';
import { ListPolicy } from './list-policy.js';

/**
 * SIEVE (Zhang et al., NSDI '24): one FIFO queue with a visited bit per entry and a hand.
 * A new entry goes to the head with its bit clear; a hit sets the bit and moves nothing.
 * To evict, the hand (starting at the tail when it has none) walks toward the head: a visited
 * entry has its bit cleared and is passed; the first unvisited entry goes, and the hand stays
 * where it was (at the next newer entry). Past the head the hand wraps to the tail. Entries
 * never move, so survivors keep their age and new ones are sifted out quickly.
 *
 * In use: the hand passes an unvisited in-use entry without evicting it (its bit stays clear),
 * as it passes a visited one. A visited entry is cleared before the cache is asked, so in-use
 * skips count only entries SIEVE would have evicted. When the hand has passed every entry in a
 * row with a clear bit and in use, nothing may go.
 */
export class SievePolicy extends ListPolicy {
  readonly name = 'sieve';
  readonly respectsInUse = true;
  /** The next entry the hand looks at; undefined means start at the tail. */
  private hand: Node | undefined;

  touched(n: Node): void {
    n.bits = 1;
  }

  protected override beforeRemove(n: Node): void {
    if (this.hand === n) this.hand = this.list.newer(n);
  }

  victimNode(ok: (n: Node) => boolean): Node | undefined {
    const list = this.list;
    let n = this.hand ?? list.tail();
    let inUseRun = 0;
    while (n !== undefined && inUseRun < list.size) {
      if (n.bits !== 0) {
        n.bits = 0;
        inUseRun = 0;
      } else if (ok(n)) {
        this.hand = list.newer(n);
        return n;
      } else {
        inUseRun++;
      }
      n = list.newer(n) ?? list.tail();
    }
    this.hand = n;
    return undefined;
  }
}
