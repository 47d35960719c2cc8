import type { EvictionPolicy } from '../policy.js';
import { DList, type Node, NodePool } from './dlist.js';

/**
 * The shared part of single-list policies (fifo, lru, clock, sieve): one node per cached key,
 * newest at the head. Subclasses decide what a hit does and which node goes.
 */
export abstract class ListPolicy implements EvictionPolicy {
  abstract readonly name: string;
  abstract readonly respectsInUse: boolean;
  protected readonly nodes = new Map<number, Node>();
  protected readonly list = new DList();
  private readonly pool = new NodePool();

  inserted(key: number): void {
    const n = this.pool.get(key);
    this.nodes.set(key, n);
    this.list.pushHead(n);
  }

  abstract accessed(key: number): void;

  removed(key: number): void {
    const n = this.nodes.get(key);
    if (n === undefined) return;
    this.beforeRemove(n);
    this.nodes.delete(key);
    this.list.remove(n);
    this.pool.put(n);
  }

  abstract victim(evictable: (key: number) => boolean): number | undefined;

  sizes(): { resident: number; ghost: number } {
    return { resident: this.list.size, ghost: 0 };
  }

  /** A hook for policies with a hand that must not point at a removed node. */
  protected beforeRemove(_n: Node): void {}
}
