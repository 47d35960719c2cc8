/**
 * Event names follow QEMU's blkdebug so the scheduler (and breakpoints) can match them.
 * Every backend call the engine makes carries the event it belongs to.
 */
import type { SparseBuffer } from './sparse-buffer.js';

export const IO_EVENTS = [
  'header_read',
  'header_update',
  'l1_load',
  'l1_update',
  'l2_load',
  'l2_update',
  'read_aio',
  'write_aio',
  'cow_write',
  'flush_to_disk',
  'check_read',
  'check_repair',
  'backing_read',
] as const;

export type IoEvent = (typeof IO_EVENTS)[number];

/**
 * Who issued a request, for the deterministic scheduler's canonical order: a number naming the
 * replay's chain of work (job and worker, or scenario step) that no other chain in flight shares.
 * Backends ignore it. Untagged requests order after tagged ones issued in the same scheduler step.
 */
export type Origin = number;

/** A request's completion by callback: null on success, else what its promise would reject with. */
export type Done = (err: unknown) => void;

/**
 * A positional block device. Reads past the end return zeros (like a sparse file's hole);
 * writes past the end extend it. Offsets and lengths are byte counts below 2^53.
 */
export interface BlockBackend {
  read(buf: Uint8Array, offset: number, event?: IoEvent, origin?: Origin): Promise<void>;
  /**
   * Optional: read into dst.bytes as `read` does, where dst records which 4 KiB chunks may be
   * non-zero; a backend that knows its zero chunks touches only chunks non-zero on either side.
   */
  readSparse?(dst: SparseBuffer, offset: number, event?: IoEvent, origin?: Origin): Promise<void>;
  write(buf: Uint8Array, offset: number, event?: IoEvent, origin?: Origin): Promise<void>;
  /**
   * Optional, for devices in memory: the same reads and writes done before returning (throwing
   * what the promise would reject with). The deterministic scheduler runs a request through them
   * and completes it in the step that runs it, without a promise of its own (a request a fault
   * rule fails, and every request once a power cut is armed, still takes the async methods). A
   * subclass that changes what a read or write does must override these, not only the async ones.
   */
  readSync?(buf: Uint8Array, offset: number, event?: IoEvent): void;
  readSparseSync?(dst: SparseBuffer, offset: number, event?: IoEvent): void;
  writeSync?(buf: Uint8Array, offset: number, event?: IoEvent): void;
  /**
   * Optional (the deterministic scheduler's devices): read and readSparse whose completion calls
   * `done` (null: success) from the step that completes them, with no promise and no microtask
   * between (replay/solo-loop.ts). `done` must not throw.
   */
  readThen?(buf: Uint8Array, offset: number, event: IoEvent, origin: Origin | undefined, done: Done): void;
  readSparseThen?(dst: SparseBuffer, offset: number, event: IoEvent, origin: Origin | undefined, done: Done): void;
  flush(event?: IoEvent, origin?: Origin): Promise<void>;
  truncate(size: number): Promise<void>;
  size(): Promise<number>;
  close(): Promise<void>;
  /** A label for messages: the file path, or "memory". */
  readonly name: string;
  readonly readOnly: boolean;
}

/** Error from a backend; carries an errno-style code (EIO, ENOSPC, ...). */
export class BackendError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BackendError';
  }
}
