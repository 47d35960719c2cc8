/** The CLOCK (second chance) eviction policy. */
import type { Node } from './dlist.js';
import { ListPolicy } from './list-policy.js';

/**
 * CLOCK (second chance, FIFO-reinsertion), as libCacheSim's Clock.c with a 1-bit counter:
 * entries sit on a circle in insertion order with a reference bit, cleared on insert and set
 * by a hit. The hand sweeps from the oldest entry: a set bit is cleared and the hand moves on;
 * the first entry with a clear bit goes. Written as a queue, "the hand moves past an entry"
 * is "the entry goes to the head" and the hand is always at the tail; a new entry is inserted
 * just behind the hand, at the head.
 *
 * In use: the hand moves past an in-use entry whose bit is clear (it goes to the head, its bit
 * stays clear), as it would past a referenced one. An entry with its bit set gets its second
 * chance before the cache is asked whether it is in use, so in-use skips count only entries
 * CLOCK would actually have evicted. When the hand has passed every entry once with a clear
 * bit and all were in use, nothing may go.
 */
export class ClockPolicy extends ListPolicy {
  readonly name = 'clock';
  readonly respectsInUse = true;

  touched(n: Node): void {
    n.bits = 1;
  }

  victimNode(ok: (n: Node) => boolean): Node | undefined {
    const list = this.list;
    // Consecutive clear-bit entries found in use: once every entry was one, stop.
    let inUseRun = 0;
    for (;;) {
      const n = list.tail();
      if (n === undefined || inUseRun >= list.size) return undefined;
      if (n.bits !== 0) {
        n.bits = 0;
        inUseRun = 0;
      } else if (ok(n)) {
        return n;
      } else {
        inUseRun++;
      }
      list.moveToHead(n);
    }
  }
}
