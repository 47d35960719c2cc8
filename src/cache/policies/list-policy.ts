/** The shared base of the single-list eviction policies (fifo, lru, clock, sieve). */
import type { EvictionPolicy } from '../policy.js';
import { DList, type Node, NodePool } from './dlist.js';

/**
 * The shared part of single-list policies (fifo, lru, clock, sieve): one node per cached key,
 * newest at the head. Subclasses decide what a hit does to a node (`touched`) and which node goes.
 *
 * Two ways in, one per instance: the key interface (EvictionPolicy: the policy keeps a key →
 * node map) and the node interface, L2Cache's fast path: the cache keeps each key's node on its
 * entry and hands it back, and hangs its entry on the node (`data`), so no map is kept here and
 * a hit, a victim's in-use check or a removal costs the cache no lookup either.
 */
export abstract class ListPolicy implements EvictionPolicy {
  abstract readonly name: string;
  abstract readonly respectsInUse: boolean;
  /** Key → node, for the key interface only. */
  protected readonly nodes = new Map<number, Node>();
  protected readonly list = new DList();
  private readonly pool = new NodePool();

  inserted(key: number): void {
    this.nodes.set(key, this.insertNode(key));
  }

  accessed(key: number): void {
    const n = this.nodes.get(key);
    if (n !== undefined) this.touched(n);
  }

  removed(key: number): void {
    const n = this.nodes.get(key);
    if (n === undefined) return;
    this.nodes.delete(key);
    this.removeNode(n);
  }

  /** Node interface: a key entered the cache; the caller keeps the node until removeNode. */
  insertNode(key: number): Node {
    const n = this.pool.get(key);
    this.list.pushHead(n);
    return n;
  }

  /** Node interface: a cached key was found again (what a hit does, by policy). */
  abstract touched(n: Node): void;

  /** Node interface: the key left the cache; the node goes back to the pool. */
  removeNode(n: Node): void {
    this.beforeRemove(n);
    this.list.remove(n);
    this.pool.put(n);
  }

  victim(evictable: (key: number) => boolean): number | undefined {
    return this.victimNode((n) => evictable(n.key))?.key;
  }

  /**
   * Node interface: the node to evict, or undefined if none may go; `ok(n)` is false for an
   * in-use node (as EvictionPolicy.victim's `evictable`).
   */
  abstract victimNode(ok: (n: Node) => boolean): Node | undefined;

  sizes(): { resident: number; ghost: number } {
    return { resident: this.list.size, ghost: 0 };
  }

  /** A hook for policies with a hand that must not point at a removed node. */
  protected beforeRemove(_n: Node): void {}
}
