/** A shared, never-written buffer of zeros, for writes of zeros without allocating per request; and a fast all-zero test. */

let zeroSource = new Uint8Array(0);

/**
 * `length` zero bytes. Shared by every caller: only ever handed to writes, never written into
 * (backends do not write into a write's buffer). A longer request grows it; views already
 * handed out keep the old (still all-zero) buffer.
 */
export function sharedZeros(length: number): Uint8Array {
  if (zeroSource.length < length) zeroSource = new Uint8Array(Math.max(length, 2 * zeroSource.length));
  return zeroSource.subarray(0, length);
}

/** Zeros to compare against, never handed out. */
const ZERO_PIECE = Buffer.alloc(64 * 1024);

/** Whether bytes [from, to) of `buf` are all zero: a native compare against zeros (memcmp), no view made. */
export function allZero(buf: Uint8Array, from = 0, to = buf.length): boolean {
  for (let at = from; at < to; at += ZERO_PIECE.length) {
    const end = Math.min(to, at + ZERO_PIECE.length);
    if (ZERO_PIECE.compare(buf, at, end, 0, end - at) !== 0) return false;
  }
  return true;
}
