/** An L2 table kept as its on-disk bytes: little-endian u64 entries read and written in place. */
import { SPARSE_CHUNK, SparseBuffer } from '../io/sparse-buffer.js';
import type { Table } from './table.js';

const TWO_32 = 4294967296;

/**
 * The raw table QEMU keeps: the bytes read from disk are the cached table (no decode per load),
 * an entry is converted on each access, and the sectors an update writes are a slice of the
 * same bytes (no encode). The buffer is reused for other tables once the cache lets go of it;
 * as a SparseBuffer it knows which 4 KiB chunks (512 entries) may be non-zero, so clearing or
 * reloading it touches those, not all of it.
 */
export class L2Table extends SparseBuffer {
  private readonly view: DataView;

  constructor(byteLength: number) {
    super(byteLength);
    this.view = new DataView(this.bytes.buffer);
  }

  get length(): number {
    return this.bytes.length / 8;
  }

  get(i: number): number {
    // A chunk known zero is not read: a lookup in a sparse table touches the 64-byte record (hot)
    // instead of a cold line of its 256 KiB, which was the largest single cost of a cached lookup.
    if (this.dirty[i >>> 9] === 0) return 0;
    return this.view.getUint32(i * 8, true) + this.view.getUint32(i * 8 + 4, true) * TWO_32;
  }

  set(i: number, v: number): void {
    this.heldFrom = null;
    this.dirty[i >>> 9] = 1; // 512 entries per SPARSE_CHUNK
    this.view.setUint32(i * 8, v % TWO_32, true);
    this.view.setUint32(i * 8 + 4, Math.floor(v / TWO_32), true);
  }

  /**
   * Entries [first, first + count) as bytes, sharing this table's memory: for reading (the sector
   * an update writes out). Change entries through set(): a write through this view would not
   * reach the record of all-zero chunks get() trusts.
   */
  slice(first: number, count: number): Uint8Array {
    return this.bytes.subarray(first * 8, (first + count) * 8);
  }

  /** A decoded copy (for the allocation map, which outlives the cache reference); into `into` if it fits. Chunks known zero are not read. */
  decoded(into?: Table): Table {
    const t = into?.length === this.length ? into : new Float64Array(this.length);
    if (t === into) t.fill(0);
    for (let c = 0; c < this.dirty.length; c++) {
      if (this.dirty[c] === 0) continue;
      const end = Math.min((c + 1) * (SPARSE_CHUNK / 8), t.length);
      for (let i = c * (SPARSE_CHUNK / 8); i < end; i++) t[i] = this.get(i);
    }
    return t;
  }
}
