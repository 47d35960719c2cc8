/** Decoding and encoding L1/L2 tables (u64 offsets). */
import { SECTOR } from './format.js';

/** A table of u64 offsets (the L1 table or one L2 table), decoded into numbers. */
export type Table = Float64Array;

/** Decode `buf` into `into` when it has the table's length (reuse), else into a new table. */
export function decodeTable(buf: Uint8Array, into?: Table): Table {
  const n = buf.length / 8;
  const t = into?.length === n ? into : new Float64Array(n);
  const v = new DataView(buf.buffer, buf.byteOffset, buf.length);
  for (let i = 0; i < n; i++) {
    t[i] = v.getUint32(i * 8, true) + v.getUint32(i * 8 + 4, true) * 4294967296;
  }
  return t;
}

/**
 * The entries of a table that a Number cannot hold exactly (past 2^53), by index: never valid
 * offsets, kept so that the error naming one prints what the file holds, not a rounded value.
 */
export function hugeEntries(buf: Uint8Array): Map<number, bigint> {
  const out = new Map<number, bigint>();
  const v = new DataView(buf.buffer, buf.byteOffset, buf.length);
  // The high word alone tells: 2^53 is 2^21 in the upper 32 bits.
  for (let i = 0; i < buf.length / 8; i++) if (v.getUint32(i * 8 + 4, true) >= 0x200000) out.set(i, v.getBigUint64(i * 8, true));
  return out;
}

/** Encode entries [first, first + count) into a new buffer. */
export function encodeEntries(t: Table, first: number, count: number): Uint8Array {
  const buf = new Uint8Array(count * 8);
  const v = new DataView(buf.buffer);
  for (let i = 0; i < count; i++) {
    const x = t[first + i];
    v.setUint32(i * 8, x % 4294967296, true);
    v.setUint32(i * 8 + 4, Math.floor(x / 4294967296), true);
  }
  return buf;
}

/**
 * The sector-aligned slice of a table that holds entries [index, index + n): QEMU writes
 * only these sectors when it updates existing entries.
 */
export function sectorSpan(index: number, n: number): { first: number; count: number; byteOffset: number } {
  const perSector = SECTOR / 8;
  const first = Math.floor(index / perSector) * perSector;
  const end = Math.ceil((index + n) / perSector) * perSector;
  return { first, count: end - first, byteOffset: first * 8 };
}
