/** An in-memory device that keeps only metadata bytes: data requests are timed but never stored. */
import type { IoEvent } from './backend.js';
import { SparseMemoryBackend } from './sparse-memory-backend.js';
import type { SparseBuffer } from './sparse-buffer.js';

/** Where a replay's image lives: `full` moves every byte; `metadata` keeps metadata only, in memory. */
export const IMAGE_STORES = ['full', 'metadata'] as const;
export type ImageStore = (typeof IMAGE_STORES)[number];

/** Events that move guest data (and nothing the engine reads back): their bytes are dropped. */
export const DATA_EVENTS: ReadonlySet<IoEvent> = new Set<IoEvent>(['read_aio', 'write_aio', 'cow_write', 'backing_read']);

/**
 * A MemoryBackend that stores header, L1 and L2 bytes (every request whose event is not a data
 * event, untagged ones included) and drops data: a data write only grows the device's length, a
 * data read returns zeros. Every request still reaches whatever wraps this backend (the
 * scheduler) with its event, so timing and counters match a full replay; memory follows the
 * metadata, not the data.
 */
export class MetadataBackend extends SparseMemoryBackend {
  override readSync(buf: Uint8Array, offset: number, event?: IoEvent): void {
    if (!event || !DATA_EVENTS.has(event)) return super.readSync(buf, offset, event);
    this.checkData('read', buf.length, offset);
    buf.fill(0);
  }

  override readSparseSync(dst: SparseBuffer, offset: number, event?: IoEvent): void {
    if (!event || !DATA_EVENTS.has(event)) return super.readSparseSync(dst, offset, event);
    this.checkData('read', dst.bytes.length, offset);
    dst.clear();
  }

  override writeSync(buf: Uint8Array, offset: number, event?: IoEvent): void {
    if (!event || !DATA_EVENTS.has(event)) return super.writeSync(buf, offset, event);
    this.checkData('write', buf.length, offset);
    if (buf.length > 0) this.store.length = Math.max(this.store.length, offset + buf.length);
  }

  /**
   * MemoryBackend's checks for a data request, with the message built only when one fails: a
   * data request does nothing else here, and formatting its offset cost more than the request.
   */
  private checkData(op: 'read' | 'write', length: number, offset: number): void {
    const bad = this.closed || (op === 'write' && this.readOnly) || !Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(offset + length);
    if (!bad) return;
    const what = `${op} ${length} bytes at ${offset}`;
    if (op === 'write') this.assertWritable(what);
    else this.assertOpen(what);
    this.checkRange(what, length, offset);
  }
}
