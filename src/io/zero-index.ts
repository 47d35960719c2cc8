/** Which 4 KiB chunks of an in-memory device were ever written with a non-zero byte. */
import { SPARSE_CHUNK, type SparseBuffer } from './sparse-buffer.js';

/** Chunks per map entry: one 32-bit mask each. */
const GROUP = 32;

/**
 * A conservative record of a device's non-zero chunks: a chunk it does not list holds only
 * zeros, provided every write since the device was empty (or since `markRange`) went through
 * `noteWrite`. A listed chunk may hold zeros again (overwritten, truncated); listing is never undone.
 */
export class ZeroIndex {
  private readonly groups = new Map<number, number>();

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

  has(chunk: number): boolean {
    const m = this.groups.get(Math.floor(chunk / GROUP));
    return m !== undefined && (m & (1 << chunk % GROUP)) !== 0;
  }

  /**
   * Fill `dst` from the device at `offset` (a multiple of SPARSE_CHUNK) with `copyOut` for the
   * listed chunks, and zeros elsewhere, touching only chunks that are listed or that `dst` marks
   * dirty; `dst`'s record is kept exact.
   */
  readInto(dst: SparseBuffer, offset: number, copyOut: (buf: Uint8Array, offset: number) => void): void {
    const { bytes, dirty } = dst;
    const first = offset / SPARSE_CHUNK;
    let mask = 0;
    for (let c = 0; c < dirty.length; c++) {
      const chunk = first + c;
      if (c === 0 || chunk % GROUP === 0) mask = this.groups.get(Math.floor(chunk / GROUP)) ?? 0;
      const lo = c * SPARSE_CHUNK;
      if ((mask & (1 << chunk % GROUP)) !== 0) {
        copyOut(bytes.subarray(lo, Math.min(lo + SPARSE_CHUNK, bytes.length)), offset + lo);
        dirty[c] = 1;
      } else if (dirty[c] !== 0) {
        bytes.fill(0, lo, lo + SPARSE_CHUNK);
        dirty[c] = 0;
      }
    }
  }

  private add(chunk: number): void {
    const g = Math.floor(chunk / GROUP);
    this.groups.set(g, (this.groups.get(g) ?? 0) | (1 << chunk % GROUP));
  }
}

function allZero(buf: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (buf[i] !== 0) return false;
  return true;
}
