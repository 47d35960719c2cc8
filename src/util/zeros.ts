/** A shared, never-written buffer of zeros, for writes of zeros without allocating per request. */

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
