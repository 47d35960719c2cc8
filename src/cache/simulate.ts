/** One lookup of a cache used as a simulator (no engine): a hit, or a miss that loads and commits `value`. */
import type { L2Cache } from './l2-cache.js';

export function lookupOrInsert<T>(cache: L2Cache<T>, key: number, value: T): void {
  let e = cache.find(key);
  if (e === undefined) {
    cache.commit(cache.alloc(key, value));
    e = cache.acquire(key);
  }
  cache.unref(e!);
}
