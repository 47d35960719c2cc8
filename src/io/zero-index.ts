/** Which 4 KiB chunks of an in-memory device were ever written with a non-zero byte. */
import { allZero } from '../util/zeros.js';
import { SPARSE_CHUNK, type SparseBuffer } from './sparse-buffer.js';

/** Chunks per word of the bitmap. */
const GROUP = 32;
/** Words per page of the bitmap: a page covers 32768 chunks, 128 MiB of the device. */
const PAGE_WORDS = 1024;

/**
 * A conservative record of a device's non-zero chunks: a chunk it does not list holds only
 * zeros, provided every write since the device was empty (or since `markRange`) went through
 * `noteWrite`. A listed chunk may hold zeros again (overwritten, truncated); listing is never undone.
 */
export class ZeroIndex {
  /**
   * Bit c % 32 of word c / 32: chunk c is listed; in pages made as a chunk in them is listed, so
   * the record follows the listed chunks (a metadata-only image: its tables), not the device's end.
   */
  private readonly pages = new Map<number, Uint32Array>();
  /** The page last looked up by word(), and its number (a table's chunks are a few words apart). */
  private lastNo = -1;
  private last: Uint32Array | undefined;

  /** Record the chunks a write of `buf` at `offset` made non-zero. */
  noteWrite(buf: Uint8Array, offset: number): void {
    let done = 0;
    while (done < buf.length) {
      const chunk = Math.floor((offset + done) / SPARSE_CHUNK);
      const n = Math.min((chunk + 1) * SPARSE_CHUNK - (offset + done), buf.length - done);
      if (!this.has(chunk) && !allZero(buf, done, done + n)) this.add(chunk);
      done += n;
    }
  }

  /** List every chunk of [offset, offset + length) (bytes written behind the index's back). */
  markRange(offset: number, length: number): void {
    if (length <= 0) return;
    const last = Math.floor((offset + length - 1) / SPARSE_CHUNK);
    for (let c = Math.floor(offset / SPARSE_CHUNK); c <= last; c++) this.add(c);
  }

  /** Bytes of bitmap held, for tests and memory reports. */
  get heldBytes(): number {
    let n = 0;
    for (const p of this.pages.values()) n += p.byteLength;
    return n;
  }

  has(chunk: number): boolean {
    return (this.word(Math.floor(chunk / GROUP)) & (1 << chunk % GROUP)) !== 0;
  }

  /**
   * Fill `dst` from the device at `offset` (a multiple of SPARSE_CHUNK) with `copyOut` (into dst.bytes[from, to) from device `offset`) for the
   * listed chunks, and zeros elsewhere, touching only chunks that are listed or that `dst` marks
   * dirty; `dst`'s record is kept exact.
   */
  readInto(dst: SparseBuffer, offset: number, copyOut: (buf: Uint8Array, from: number, to: number, offset: number) => void): void {
    const { bytes, dirty, dirtyWords } = dst;
    const n = dirty.length;
    const first = offset / SPARSE_CHUNK;
    // Listed chunks next to each other are copied in one call (a full table: one, not 64).
    let run = -1;
    // A bitmap word at a time (integer steps: a chunk number past 2^31 makes % a float op); a
    // word's chunks none of which is listed (most, in a sparse table) only clear what dst has dirty.
    for (let c = 0; c < n; ) {
      const w = Math.floor((first + c) / GROUP);
      const bit = first + c - w * GROUP;
      const end = Math.min(c + GROUP - bit, n);
      let mask = this.word(w) >>> bit;
      for (; c < end; c++, mask >>>= 1) {
        if (mask === 0 && run < 0) {
          for (; c < end; c++) {
            // Four clean chunks at a time (a reused table buffer has a few dirty chunks of 64).
            if ((c & 3) === 0 && c + 4 <= end && dirtyWords[c >>> 2] === 0) {
              c += 3;
              continue;
            }
            if (dirty[c] === 0) continue;
            bytes.fill(0, c * SPARSE_CHUNK, (c + 1) * SPARSE_CHUNK);
            dirty[c] = 0;
          }
          break;
        }
        if ((mask & 1) !== 0) {
          if (run < 0) run = c;
          dirty[c] = 1;
          continue;
        }
        if (run >= 0) {
          copyOut(bytes, run * SPARSE_CHUNK, c * SPARSE_CHUNK, offset + run * SPARSE_CHUNK);
          run = -1;
        }
        if (dirty[c] !== 0) {
          bytes.fill(0, c * SPARSE_CHUNK, (c + 1) * SPARSE_CHUNK);
          dirty[c] = 0;
        }
      }
    }
    if (run >= 0) copyOut(bytes, run * SPARSE_CHUNK, bytes.length, offset + run * SPARSE_CHUNK);
  }

  private word(w: number): number {
    const no = Math.floor(w / PAGE_WORDS);
    if (no !== this.lastNo) {
      this.lastNo = no;
      this.last = this.pages.get(no);
    }
    return this.last ? this.last[w - no * PAGE_WORDS] : 0;
  }

  private add(chunk: number): void {
    const w = Math.floor(chunk / GROUP);
    const no = Math.floor(w / PAGE_WORDS);
    let page = this.pages.get(no);
    if (!page) {
      this.pages.set(no, (page = new Uint32Array(PAGE_WORDS)));
      if (no === this.lastNo) this.last = page;
    }
    page[w - no * PAGE_WORDS] |= 1 << chunk % GROUP;
  }
}
