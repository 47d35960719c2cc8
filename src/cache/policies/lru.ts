/** The LRU eviction policy. */
import type { Node } from './dlist.js';
import { ListPolicy } from './list-policy.js';

/**
 * Least recently used: a hit moves the entry to the head of one list; the victim is the
 * entry at the tail.
 *
 * In use: the scan starts at the least recently used entry and walks toward the most recent,
 * skipping in-use entries in place; the first free one goes. An in-use entry keeps its
 * position, so once released it is again the first candidate (it is normally near the head
 * anyway: a request that holds an entry has just looked it up).
 */
export class LruPolicy extends ListPolicy {
  readonly name = 'lru';
  readonly respectsInUse = true;

  touched(n: Node): void {
    this.list.moveToHead(n);
  }

  victimNode(ok: (n: Node) => boolean): Node | undefined {
    return this.list.oldestWhere(ok);
  }
}
