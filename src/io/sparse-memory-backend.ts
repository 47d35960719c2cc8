/** An in-memory device that knows which of its 4 KiB chunks are zero, for reads that skip them. */
import type { IoEvent } from './backend.js';
import { MemoryBackend, type MemoryStore } from './memory-backend.js';
import { SPARSE_CHUNK, type SparseBuffer } from './sparse-buffer.js';
import { ZeroIndex } from './zero-index.js';
import { remainder } from '../util/remainder.js';

/**
 * A MemoryBackend that records the chunks its writes made non-zero (ZeroIndex) and offers
 * readSparse: a 256 KiB L2 table with one written sector loads as one 4 KiB copy plus zeroing the
 * few chunks the reused buffer had dirty, instead of a 256 KiB copy. The store must be written
 * only through this backend from now on; whatever it holds already is taken as non-zero.
 */
export class SparseMemoryBackend extends MemoryBackend {
  private readonly zeros = new ZeroIndex();
  private readonly copyOut = (buf: Uint8Array, from: number, to: number, offset: number): void => this.store.copyOut(buf, offset, from, to);

  constructor(store: MemoryStore, readOnly = false, name = 'memory') {
    super(store, readOnly, name);
    this.zeros.markRange(0, store.length);
  }

  override writeSync(buf: Uint8Array, offset: number, event?: IoEvent): void {
    // Listed before the bytes land: a chunk listed early reads as its zeros, one listed late would hide data.
    this.zeros.noteWrite(buf, offset);
    super.writeSync(buf, offset, event);
  }

  /** Like read into dst.bytes, keeping dst's record of non-zero chunks exact (no async frame: it is a copy). */
  readSparse(dst: SparseBuffer, offset: number, event?: IoEvent): Promise<void> {
    try {
      this.readSparseSync(dst, offset, event);
    } catch (err) {
      return Promise.reject(err);
    }
    return Promise.resolve();
  }

  readSparseSync(dst: SparseBuffer, offset: number, event?: IoEvent): void {
    if (remainder(offset, SPARSE_CHUNK) !== 0) {
      dst.forget();
      this.readSync(dst.bytes, offset, event);
      dst.markAll();
      return;
    }
    const what = 'read';
    this.assertOpen(what);
    this.checkRange(what, dst.bytes.length, offset);
    const store = this.store;
    // A buffer a cache let go of and took back for the same table, the device unchanged since.
    if (dst.heldFrom === store && dst.heldAt === offset && dst.heldGen === store.generation) return;
    dst.heldFrom = null; // until the read is whole
    this.zeros.readInto(dst, offset, this.copyOut);
    dst.heldFrom = store;
    dst.heldAt = offset;
    dst.heldGen = store.generation;
  }
}
