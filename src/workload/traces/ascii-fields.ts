/**
 * Text fields read straight from a line's bytes for the fast path: short ASCII words packed into a
 * number (op tables, a cache of device ids), so a valid line costs no substring or lookup string.
 * Anything not plain ASCII gives undefined and the caller parses the line's text instead.
 */
import type { CarefulLine, DeviceIds } from './types.js';

/** Bytes of a word up to this long pack into a safe integer (7 bits a byte, 3 for the length). */
const PACKABLE = 6;

/** buf[s, e) packed as a number, -1 when longer than PACKABLE or not ASCII; `lower` folds A-Z. */
function pack(buf: Uint8Array, s: number, e: number, lower: boolean): number {
  if (e - s > PACKABLE) return -1;
  let k = 0;
  for (let i = s; i < e; i++) {
    let c = buf[i];
    if (c > 127) return -1;
    if (lower && c >= 65 && c <= 90) c += 32;
    k = k * 128 + c;
  }
  return k * 8 + (e - s);
}

const packText = (w: string) => pack(Buffer.from(w, 'latin1'), 0, w.length, false);

/** A word table (op letters) looked up from bytes: exact, or case-folded when `lower`. */
export class AsciiTable<T> {
  private readonly map = new Map<number, T>();
  constructor(
    table: Record<string, T>,
    private readonly lower: boolean,
  ) {
    for (const [w, v] of Object.entries(table)) {
      if (/^[\x00-\x7f]*$/.test(w) && w.length <= PACKABLE && (!lower || w === w.toLowerCase())) this.map.set(packText(w), v);
    }
  }

  get(buf: Uint8Array, s: number, e: number): T | undefined {
    const k = pack(buf, s, e, this.lower);
    return k < 0 ? undefined : this.map.get(k);
  }

  /** The word whose packed key (as packKey builds it, case kept) is k. */
  byKey(k: number): T | undefined {
    return this.map.get(k);
  }
}

/**
 * pack()'s key (case kept) from a scanner's running k = k * 128 + byte over a word of `length`
 * bytes whose bytes OR-ed together give `bits`: -1 when too long or not ASCII.
 */
export const packedKey = (k: number, length: number, bits: number) => (length > PACKABLE || bits > 127 ? -1 : k * 8 + length);

/** ASCII bytes as a device id of `names`, short ones remembered by their bytes (device names repeat); -1 when not ASCII. */
export class AsciiIds {
  private readonly seen = new Map<number, number>();
  private owner: DeviceIds | null = null;
  /** The last name too long to pack (fio's "/dev/vdb"), and its id. */
  private long: Buffer | null = null;
  private longId = -1;

  /** get() for a word whose key the caller packed while scanning (-1: too long or not ASCII). */
  byKey(k: number, buf: Buffer, s: number, e: number, names: DeviceIds): number {
    if (k < 0 || names !== this.owner) return this.get(buf, s, e, names);
    if (k === this.lastKey) return this.lastId;
    let v = this.seen.get(k);
    if (v === undefined) {
      v = names.id(buf.toString('latin1', s, e));
      this.seen.set(k, v);
    }
    this.lastKey = k;
    return (this.lastId = v);
  }

  private lastKey = -1;
  private lastId = -1;

  get(buf: Buffer, s: number, e: number, names: DeviceIds): number {
    if (names !== this.owner) {
      this.lastKey = -1;
      this.seen.clear();
      this.long = null;
      this.owner = names;
    }
    const k = pack(buf, s, e, false);
    if (k >= 0) {
      let v = this.seen.get(k);
      if (v === undefined) {
        v = names.id(buf.toString('latin1', s, e));
        this.seen.set(k, v);
      }
      return v;
    }
    const long = this.long;
    if (long !== null && long.length === e - s) {
      let i = 0;
      while (i < long.length && long[i] === buf[s + i]) i++;
      if (i === long.length) return this.longId;
    }
    for (let i = s; i < e; i++) if (buf[i] > 127) return -1;
    this.long = Buffer.from(buf.subarray(s, e));
    return (this.longId = names.id(buf.toString('latin1', s, e)));
  }
}

/** True when String.prototype.trim would change a field starting or ending with this ASCII byte. */
export const trimmable = (c: number) => c === 32 || (c >= 9 && c <= 13);

/**
 * Where the first n comma-separated fields of buf[s, e) start, into starts[0..n] (field k is
 * buf[starts[k], starts[k + 1] - 1)), and in the same pass each field's digits as a number into
 * values[k] (-1 as digitsOf gives it: empty, not all digits, or past 2^53). False when the line
 * has fewer than n fields or a carriage return anywhere.
 */
export function commaFields(buf: Uint8Array, s: number, e: number, starts: Int32Array, values: Float64Array, n: number): boolean {
  let k = 0;
  let v = 0;
  let digits = 0;
  let ok = true;
  starts[0] = s;
  for (let i = s; i < e; i++) {
    const c = buf[i];
    if (c === 44) {
      values[k] = ok && digits > 0 && digits <= 16 && v <= Number.MAX_SAFE_INTEGER ? v : -1;
      starts[++k] = i + 1;
      if (k === n) return noCr(buf, i + 1, e);
      v = 0;
      digits = 0;
      ok = true;
    } else if (c >= 48 && c <= 57) {
      v = v * 10 + (c - 48);
      digits++;
    } else if (c === 13) return false;
    else ok = false;
  }
  if (k < n - 1) return false;
  values[k] = ok && digits > 0 && digits <= 16 && v <= Number.MAX_SAFE_INTEGER ? v : -1;
  starts[n] = e + 1;
  return true;
}

/** No carriage return in buf[s, e): a line holding one (CR-only line ends) is the text path's to refuse. */
function noCr(buf: Uint8Array, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (buf[i] === 13) return false;
  return true;
}

/**
 * Space-separated words of buf[s, e) as String.prototype.trim().split(/\s+/) finds them, into
 * starts/ends: how many (at most `max`; more words than that give max + 1), or -1 when the line
 * holds another whitespace byte or a non-ASCII one before the last word needed (the text path decides).
 */
export function spaceWords(buf: Uint8Array, s: number, e: number, starts: Int32Array, ends: Int32Array, max: number): number {
  let n = 0;
  let i = s;
  for (;;) {
    while (i < e && buf[i] === 32) i++;
    if (i === e) return n;
    if (n === max) return max + 1;
    starts[n] = i;
    for (; i < e; i++) {
      const c = buf[i];
      if (c === 32) break;
      if ((c >= 9 && c <= 13) || c > 127) return -1;
    }
    ends[n++] = i;
  }
}

/**
 * A chunk scanner's loop: `line` reads the line at ls and gives its newline's index when it
 * vouched for it (and appended its request), else -1; such a line goes whole (without its
 * "\r\n") to the careful path, or, unfinished, waits for the next chunk. Gives where that starts.
 */
export function scanLines(buf: Buffer, start: number, cursor: { line: number }, careful: CarefulLine, line: (ls: number, lineNo: number) => number): number {
  const len = buf.length;
  let ls = start;
  let lineNo = cursor.line;
  while (ls < len) {
    lineNo++;
    let nl = line(ls, lineNo);
    if (nl < 0) {
      nl = buf.indexOf(10, ls);
      if (nl < 0) {
        lineNo--;
        break;
      }
      careful(buf, ls, nl > ls && buf[nl - 1] === 13 ? nl - 1 : nl, lineNo);
    }
    ls = nl + 1;
  }
  cursor.line = lineNo;
  return ls;
}
