/**
 * The CSV formats' chunk scanner: each line's fields found, numbers accumulated from digits and
 * short words packed in the same single pass that finds the line's end (no string, no second
 * pass), then checked exactly as the per-line fast path checks them. A line it cannot vouch for
 * goes to the careful (text) path whole, so values and errors never differ.
 */
import { AsciiIds, AsciiTable, packedKey, scanLines } from './ascii-fields.js';
import type { BytesClock } from './fields.js';
import type { ChunkScanner, RowSink } from './types.js';

/** What the scanner does with a column: skip it, keep its digits, pack it as a word, or note where it is. */
const SKIP = 0;
const NUM = 1;
const WORD = 2;
const SPAN = 3;

export interface CsvColumns {
  time: number;
  op: number;
  offset: number;
  size: number;
  device: number;
}

export function csvScanner(n: number, col: CsvColumns, unit: number, time: BytesClock, ops: AsciiTable<number>, devices: AsciiIds): ChunkScanner {
  const role = new Uint8Array(n);
  role[col.time] = SPAN;
  role[col.op] = WORD;
  role[col.device] = WORD;
  role[col.offset] = NUM;
  role[col.size] = NUM;
  const starts = new Int32Array(n);
  const ends = new Int32Array(n);
  /** A NUM column's value (-1: empty, not digits, past 2^53), a WORD column's packed key. */
  const values = new Float64Array(n);
  const last = n - 1;

  return (buf, start, cursor, out, careful) => scanLines(buf, start, cursor, careful, (ls, lineNo) => lineAt(buf, ls, lineNo, out));

  /** One line: field by field, each loop stopping on a comma, a newline or anything it does not expect. */
  function lineAt(buf: Buffer, ls: number, lineNo: number, out: RowSink): number {
    const len = buf.length;
    let i = ls;
    let nl = -1;
    for (let k = 0; k < n; k++) {
      starts[k] = i;
      const r = role[k];
      let c = -1;
      if (r === NUM) {
        let v = 0;
        for (; i < len; i++) {
          c = buf[i];
          if (c < 48 || c > 57) break;
          v = v * 10 + (c - 48);
        }
        const digits = i - starts[k];
        values[k] = digits > 0 && digits <= 16 && v <= Number.MAX_SAFE_INTEGER ? v : -1;
      } else if (r === WORD) {
        let key = 0;
        let bits = 0;
        for (; i < len; i++) {
          c = buf[i];
          if (c === 44 || c === 10 || c === 13) break;
          key = key * 128 + c;
          bits |= c;
        }
        values[k] = packedKey(key, i - starts[k], bits);
      } else {
        for (; i < len; i++) {
          c = buf[i];
          if (c === 44 || c === 10 || c === 13) break;
        }
      }
      if (i >= len) break;
      ends[k] = i;
      if (c === 44) {
        i++;
        if (k === last) {
          while (i < len && buf[i] !== 10) i++; // fields past the last one read are not looked at
          if (i < len) nl = i;
        }
      } else if (k === last && (c === 10 || (c === 13 && i + 1 < len && buf[i + 1] === 10))) nl = c === 10 ? i : i + 1;
      else break; // too few fields, a "\r" inside the line, or a number with other bytes in it
    }
    return nl >= 0 && vouch(buf, lineNo, out) ? nl : -1;
  }

  /** The line's fields checked and appended in the per-line fast path's order (so the same state changes). */
  function vouch(buf: Buffer, lineNo: number, out: RowSink): boolean {
    const t = time.bytesAt(buf, starts[col.time], ends[col.time]);
    if (t !== t) return false;
    const op = values[col.op] < 0 ? undefined : ops.byKey(values[col.op]);
    if (op === undefined) return false;
    const offset = values[col.offset];
    const length = values[col.size];
    if (offset < 0 || length < 0) return false;
    const device = devices.byKey(values[col.device], buf, starts[col.device], ends[col.device], out.devices);
    if (device < 0) return false;
    out.reserve();
    out.set(t, op, offset * unit, length * unit, device, lineNo);
    return true;
  }
}
