/**
 * The file I/O path names (image.io, io --io) and cache modes (image.cache, io --cache), and the
 * rule `auto` follows to pick a path for a file. The rule and its measurements are in
 * docs/engine.md ("File I/O").
 */
import { BackendError } from './backend.js';

/**
 * auto: the rule below. async: libuv's thread pool, one round trip per request. sync: blocking
 * calls on the main thread (fio's psync), nothing overlaps. ring: a pool of worker threads on
 * shared memory, fed and drained in batches (ring-pool.ts), requests overlap. adaptive: sync
 * while requests finish fast (page cache), ring for a while after one does not (inline-gate.ts).
 */
export const IO_MODES = ['auto', 'async', 'sync', 'ring', 'adaptive'] as const;
export type IoMode = (typeof IO_MODES)[number];
export type ConcreteIoMode = Exclude<IoMode, 'auto'>;
export const DEFAULT_IO_MODE: IoMode = 'auto';

/** writeback: through the page cache (QEMU's cache=writeback); none: O_DIRECT (QEMU's cache=none). */
export const CACHE_MODES = ['writeback', 'none'] as const;
export type CacheMode = (typeof CACHE_MODES)[number];
export const DEFAULT_CACHE_MODE: CacheMode = 'writeback';

export interface IoChoice {
  io: ConcreteIoMode;
  /** Why: printed in the run summary and recorded in results. */
  reason: string;
}

/**
 * auto picks ring for every file: requests overlap like async (so a device's latency is
 * hidden up to the depth) at about sync's cost per request on page-cached files. Only ring has
 * aligned buffers, so cache: none needs ring (or auto).
 */
export function chooseIo(path: string, requested: IoMode, cache: CacheMode): IoChoice {
  if (cache === 'none' && requested !== 'auto' && requested !== 'ring') {
    throw new BackendError('EINVAL', `${path}: cannot use io: ${requested} with cache: none: O_DIRECT needs aligned buffers, which only the ring path has; use io: ring or auto`);
  }
  if (requested !== 'auto') return { io: requested, reason: 'chosen' };
  if (cache === 'none') return { io: 'ring', reason: 'auto: cache none (O_DIRECT): every request goes to the device, so requests overlap on the ring' };
  return { io: 'adaptive', reason: 'auto: cache writeback: inline while requests finish in the page cache, on the ring when they do not' };
}

/** What results record of a file image's I/O: the path chooseIo takes for the image settings (defaults filled in) and the cache mode. */
export function recordedIoChoice(path: string, image: { io?: IoMode; cache?: CacheMode }): IoChoice & { cache: CacheMode } {
  const cache = image.cache ?? DEFAULT_CACHE_MODE;
  return { ...chooseIo(path, image.io ?? DEFAULT_IO_MODE, cache), cache };
}
