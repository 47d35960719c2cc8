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
/** The io modes cache: none can run on: only these have aligned buffers for O_DIRECT. */
export const DIRECT_IO_MODES: readonly IoMode[] = ['auto', 'async', 'ring'];
export type CacheMode = (typeof CACHE_MODES)[number];
export const DEFAULT_CACHE_MODE: CacheMode = 'writeback';

export interface IoChoice {
  io: ConcreteIoMode;
  /** Why: printed in the run summary and recorded in results. */
  reason: string;
}

/**
 * The pool size (threads) libuv starts with, read as libuv reads UV_THREADPOOL_SIZE: unset, 4;
 * else its leading integer (atoi), 0 or none at all meaning 1, a negative one wrapping past the
 * cap, capped at 1024. From the environment, so a pool started before it was set (a module
 * preloaded ahead of the launcher) is not seen.
 */
export function uvPoolThreads(env: NodeJS.ProcessEnv = process.env): number {
  const v = env.UV_THREADPOOL_SIZE;
  if (v === undefined) return 4;
  const n = Number.parseInt(v.trimStart(), 10);
  if (!Number.isFinite(n) || n === 0) return 1;
  return n < 0 ? 1024 : Math.min(n, 1024);
}

/** libuv's pool size the launchers set when the environment does not (bin/qed-bench.js, bench:peers): O_DIRECT's depth at the device. */
export const DIRECT_UV_THREADS = 16;
/** With fewer pool threads than this, auto puts cache: none on the ring (8 workers) instead. */
export const DIRECT_UV_MIN = 8;

/**
 * auto with cache: writeback picks adaptive: inline (sync's cost) while requests finish in the
 * page cache, overlapped on the ring when they do not. With cache: none every request goes to
 * the device: async (libuv's native threads, uv-direct.ts) when libuv's pool has at least
 * DIRECT_UV_MIN threads, else ring. Only async and ring have aligned buffers for O_DIRECT.
 */
export function chooseIo(path: string, requested: IoMode, cache: CacheMode, uvThreads = uvPoolThreads()): IoChoice {
  if (cache === 'none' && !DIRECT_IO_MODES.includes(requested)) {
    throw new BackendError('EINVAL', `${path}: cannot use io: ${requested} with cache: none: O_DIRECT needs aligned buffers, which only the async and ring paths have; use io: async, ring or auto`);
  }
  if (requested !== 'auto') return { io: requested, reason: 'chosen' };
  if (cache === 'none') {
    return uvThreads >= DIRECT_UV_MIN
      ? { io: 'async', reason: `auto: cache none (O_DIRECT): every request goes to the device, so requests overlap on libuv's ${uvThreads} threads (UV_THREADPOOL_SIZE >= ${DIRECT_UV_MIN})` }
      : { io: 'ring', reason: `auto: cache none (O_DIRECT): every request goes to the device, so requests overlap on the ring (libuv's pool has only ${uvThreads} threads, UV_THREADPOOL_SIZE < ${DIRECT_UV_MIN})` };
  }
  return { io: 'adaptive', reason: 'auto: cache writeback: inline while requests finish in the page cache, on the ring when they do not' };
}

/** What results record of a file image's I/O: the path chooseIo takes for the image settings (defaults filled in) and the cache mode. */
export function recordedIoChoice(path: string, image: { io?: IoMode; cache?: CacheMode }): IoChoice & { cache: CacheMode } {
  const cache = image.cache ?? DEFAULT_CACHE_MODE;
  return { ...chooseIo(path, image.io ?? DEFAULT_IO_MODE, cache), cache };
}
