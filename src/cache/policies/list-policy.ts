/** The shared base of the single-list eviction policies (fifo, lru, clock, sieve). */
import type { EvictionPolicy } from '../policy.js';
import { DList, type Node } from './dlist.js';

/**
 * The shared part of single-list policies (fifo, lru, clock, sieve): the cache's entries on one
 * list, newest at the head. Subclasses decide what a hit does to an entry (`touched`) and which
 * entry goes (`victimNode`).
 */
export abstract class ListPolicy implements EvictionPolicy {
  abstract readonly name: string;
  abstract readonly respectsInUse: boolean;
  protected readonly list = new DList();

  inserted(n: Node): void {
    n.bits = 0;
    this.list.pushHead(n);
  }

  accessed(n: Node): void {
    this.touched(n);
  }

  removed(n: Node): void {
    this.beforeRemove(n);
    this.list.remove(n);
  }

  victim(evictable: (n: Node) => boolean): Node | undefined {
    return this.victimNode(evictable);
  }

  /** What a hit does, by policy. */
  abstract touched(n: Node): void;

  /** The entry to evict, or undefined if none may go; `ok(n)` is false for an in-use entry. */
  abstract victimNode(ok: (n: Node) => boolean): Node | undefined;

  sizes(): { resident: number; ghost: number } {
    return { resident: this.list.size, ghost: 0 };
  }

  /** A hook for policies with a hand that must not point at a removed node. */
  protected beforeRemove(_n: Node): void {}
}
