/** One lookup of a cache used as a simulator (no engine): a hit, or a miss that loads and commits `value`. */
import type { L2Cache } from './l2-cache.js';

/** find → on a miss alloc, commit, acquire → unref, in one call (L2Cache.access); true on a hit. */
export function lookupOrInsert<T>(cache: L2Cache<T>, key: number, value: T): boolean {
  return cache.access(key, value);
}
