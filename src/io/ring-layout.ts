/**
 * The shared-memory layout of the ring I/O pool: one control array, a submission ring of slot
 * numbers, per-slot request descriptors and per-slot data areas. Both sides (ring-pool.ts on the
 * main thread, ring-worker.ts in the workers) index it through these constants only.
 */

/** Request slots: at most this many requests (or pieces of larger ones) in flight at once. */
export const SLOTS = 128;
/** Bytes of data per slot; larger requests are split into pieces of this size. A multiple of 4 KiB (O_DIRECT). */
export const SLOT_BYTES = 128 << 10;
/** Extra bytes in the data area so its slots can start on a 4 KiB boundary whatever the allocator returned. */
export { ALIGN_PAD } from './direct-align.js';
/** Bytes per slot for an error's code and message (UTF-8). */
export const ERR_BYTES = 256;

// Control words (Int32Array indexes).
/** Submissions published by the main thread (a running count; the ring index is count % SLOTS). */
export const SQ_TAIL = 0;
/** Submissions taken by workers (compare-and-swap among them). */
export const SQ_HEAD = 1;
/** Completions published by workers (a running count the main thread waits on). */
export const DONE_SEQ = 2;
/** 1 while the main thread waits for completions: only then do workers notify. */
export const MAIN_WAITING = 3;
/** Workers asleep waiting for submissions: only then does the main thread notify. */
export const SLEEPERS = 4;
/** Set to 1 to make the workers exit. */
export const STOP = 5;
/** Where slot 0's data starts in the data area: 4 KiB-aligned in memory once probed (O_DIRECT), else 0. */
export const DATA_BASE = 6;
/** The submission ring starts here (SLOTS entries). */
export const SQ_BASE = 16;
export const CTL_WORDS = SQ_BASE + SLOTS;

// Per-slot descriptor: 8 float64 words = 16 int32 words.
export const META_F64_PER_SLOT = 8;
export const META_I32_PER_SLOT = 16;
/** Float64 index (within the slot's 8): the file offset. */
export const M_OFFSET = 0;
// Int32 indexes (within the slot's 16; words 0-1 are the offset's float64).
export const M_OP = 2;
export const M_FD = 3;
export const M_LENGTH = 4;
/** 0 free or submitted, 1 done (set by the worker last, with Atomics.store). */
export const M_STATE = 5;
/** Bytes read or written, or -1 on error (code and message in the slot's error area). */
export const M_RESULT = 6;
/** Bytes of error text in the slot's error area when M_RESULT is -1. */
export const M_ERRLEN = 7;

export const OP_READ = 1;
export const OP_WRITE = 2;
export const STATE_DONE = 1;
