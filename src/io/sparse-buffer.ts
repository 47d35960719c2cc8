/** A buffer that records which 4 KiB chunks may hold non-zero bytes, so a read can skip the rest. */

/** Chunk size of the record: a table's 512 entries, a store's 4 KiB block. */
export const SPARSE_CHUNK = 4096;

/**
 * `bytes` plus a flag per SPARSE_CHUNK-byte chunk: 0 means every byte of the chunk is zero, 1
 * that it may not be. A reused L2 table buffer of 256 KiB typically holds a few non-zero chunks;
 * clearing or reloading it then touches those chunks, not the whole buffer. Whoever writes
 * `bytes` marks the chunks it wrote (or markAll).
 */
export class SparseBuffer {
  readonly bytes: Uint8Array;
  /** 1 per chunk that may hold non-zero bytes. */
  readonly dirty: Uint8Array;
  /** `dirty` four chunks a word (its memory padded to whole words): a scan skips clean ones four at a time. */
  readonly dirtyWords: Uint32Array;
  /**
   * The device bytes `bytes` hold as a read left them: the store read, its offset and the store's
   * write generation then (SparseMemoryBackend: a reload of the same, unchanged bytes is no copy).
   * Null once anything else wrote `bytes`: every writer calls forget().
   */
  heldFrom: object | null = null;
  heldAt = 0;
  heldGen = 0;

  constructor(byteLength: number) {
    this.bytes = new Uint8Array(byteLength);
    const chunks = Math.ceil(byteLength / SPARSE_CHUNK);
    this.dirtyWords = new Uint32Array(Math.ceil(chunks / 4));
    this.dirty = new Uint8Array(this.dirtyWords.buffer, 0, chunks);
  }

  /** Every byte may be non-zero (after a read that did not keep the record). */
  markAll(): void {
    this.heldFrom = null;
    this.dirty.fill(1);
  }

  /** `bytes` are about to be written by something other than a read that tags them. */
  forget(): void {
    this.heldFrom = null;
  }

  /** Zero the buffer, touching only the chunks that may be non-zero. */
  clear(): void {
    this.heldFrom = null;
    const d = this.dirty;
    for (let c = 0; c < d.length; c++) {
      if (d[c] === 0) continue;
      this.bytes.fill(0, c * SPARSE_CHUNK, (c + 1) * SPARSE_CHUNK);
      d[c] = 0;
    }
  }
}
