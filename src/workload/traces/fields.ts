/** Small exact parsers shared by the formats: whole numbers, decimal seconds, columns of a field. */
import { BadField } from './types.js';

const DIGITS = /^\d+$/;
/** 10 ** k for k = 0..9, exact. */
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/**
 * Digits of line[s, e) as a number, or -1 when the range is empty, holds anything but digits, or
 * is past 2^53: the hot path of every text reader (no substring, no regex).
 */
export function digitsAt(line: string, s: number, e: number): number {
  if (e <= s || e - s > 16) return -1;
  let n = 0;
  for (let i = s; i < e; i++) {
    const c = line.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n <= Number.MAX_SAFE_INTEGER ? n : -1;
}

/** digitsAt over bytes buf[s, e): the same answer for the same ASCII text. */
export function digitsOf(buf: Uint8Array, s: number, e: number): number {
  if (e <= s || e - s > 16) return -1;
  let n = 0;
  for (let i = s; i < e; i++) {
    const c = buf[i] - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n <= Number.MAX_SAFE_INTEGER ? n : -1;
}

/**
 * A time field parsed straight from bytes: NaN when the fast path cannot tell (the caller then
 * parses the line's text, which gives the value or the exact error), and then no state changes.
 */
export interface BytesClock {
  bytesAt(buf: Uint8Array, s: number, e: number): number;
}

/**
 * Request times are nanoseconds from the first request, as doubles: exact within 2^53 ns (about
 * 104 days), and past it only at the double's coarser steps (whole seconds stay exact for
 * centuries). a * mul + add when a double holds it exactly, else ±Infinity, which the reader's row
 * checks make a bad line (after the line's own fields) instead of keeping a rounded time.
 */
export function exactNs(a: number, mul: number, add = 0): number {
  const ns = a * mul + add;
  if (ns <= Number.MAX_SAFE_INTEGER && ns >= -Number.MAX_SAFE_INTEGER) return ns;
  const exact = BigInt(a) * BigInt(mul) + BigInt(add);
  const n = Number(exact);
  return BigInt(n) === exact ? n : exact < 0n ? -Infinity : Infinity;
}

export const TIME_EXACT = 'a time from the first request that a double holds to the nanosecond (every time within 2^53 ns, about 104 days)';

/** A whole number ≥ 0 that fits a double exactly. */
export function whole(s: string, field: string, what = 'a whole number'): number {
  const n = Number(s);
  if (!DIGITS.test(s) || !Number.isSafeInteger(n)) throw new BadField(field, what, s);
  return n;
}

/** 1-based column where field `index` starts in a line split on `sep` (a single character). */
export function columnOf(line: string, sep: string, index: number): number {
  let at = 0;
  for (let i = 0; i < index; i++) {
    const next = line.indexOf(sep, at);
    if (next < 0) return line.length + 1;
    at = next + 1;
  }
  return at + 1;
}

/** Column of whitespace-separated field `index`. */
export function wordColumnOf(line: string, index: number): number {
  const re = /\S+/g;
  let m: RegExpExecArray | null;
  for (let i = 0; (m = re.exec(line)); i++) if (i === index) return m.index + 1;
  return line.length + 1;
}

/**
 * Decimal seconds ("1486117350.270366") as nanoseconds relative to a base taken from the first
 * value, exactly: whole seconds and the fraction are kept apart so 1e9-scale epochs lose nothing.
 */
export class DecimalSeconds implements BytesClock {
  private base: number | null = null;
  private baseFrac = 0;
  /** Nanoseconds per unit of the integer part (1e9 for seconds). */
  constructor(private readonly nsPerUnit = 1e9) {}

  parseAt(line: string, s: number, e: number, field: string): number {
    const dot = line.indexOf('.', s);
    const intEnd = dot < 0 || dot >= e ? e : dot;
    const units = digitsAt(line, s, intEnd);
    const fracLen = e - intEnd - 1;
    const frac = fracLen > 0 ? digitsAt(line, intEnd + 1, e) : 0;
    if (units < 0 || frac < 0 || fracLen > 9 || fracLen === 0) return this.parse(line.slice(s, e), field);
    const fracNs = fracLen > 0 ? Math.round(frac * 10 ** (9 - fracLen) * (this.nsPerUnit / 1e9)) : 0;
    if (this.base === null) {
      this.base = units;
      this.baseFrac = fracNs;
    }
    return exactNs(units - this.base, this.nsPerUnit, fracNs - this.baseFrac);
  }

  bytesAt(buf: Uint8Array, s: number, e: number): number {
    // One pass: the whole part's digits up to the dot, then the fraction's (parseAt's checks, in order of the bytes).
    let units = 0;
    let i = s;
    for (; i < e; i++) {
      const c = buf[i] - 48;
      if (c < 0 || c > 9) break;
      units = units * 10 + c;
    }
    if (i === s || i - s > 16 || units > Number.MAX_SAFE_INTEGER) return NaN;
    let fracNs = 0;
    if (i < e) {
      if (buf[i] !== 46) return NaN;
      const fracLen = e - i - 1;
      if (fracLen === 0 || fracLen > 9) return NaN;
      let frac = 0;
      for (i++; i < e; i++) {
        const c = buf[i] - 48;
        if (c < 0 || c > 9) return NaN;
        frac = frac * 10 + c;
      }
      fracNs = Math.round(frac * POW10[9 - fracLen] * (this.nsPerUnit / 1e9));
    }
    if (this.base === null) {
      this.base = units;
      this.baseFrac = fracNs;
    }
    return exactNs(units - this.base, this.nsPerUnit, fracNs - this.baseFrac);
  }

  parse(s: string, field: string): number {
    const dot = s.indexOf('.');
    const int = dot < 0 ? s : s.slice(0, dot);
    const frac = dot < 0 ? '' : s.slice(dot + 1);
    if (!DIGITS.test(int) || (dot >= 0 && !DIGITS.test(frac)) || frac.length > 9) throw new BadField(field, 'a decimal number such as 12.345678', s);
    const units = Number(int);
    if (!Number.isSafeInteger(units)) throw new BadField(field, 'a decimal number such as 12.345678', s);
    const fracNs = frac ? Math.round(Number(frac.padEnd(9, '0')) * (this.nsPerUnit / 1e9)) : 0;
    if (this.base === null) {
      this.base = units;
      this.baseFrac = fracNs;
    }
    return exactNs(units - this.base, this.nsPerUnit, fracNs - this.baseFrac);
  }
}

/** A large whole number of `nsPerTick` ticks relative to the first one, exact past 2^53 (Windows filetime). */
export class BigTicks implements BytesClock {
  private hi0: number | null = null;
  private lo0 = 0;
  constructor(private readonly nsPerTick: number) {}

  parse(s: string, field: string): number {
    return this.parseAt(s, 0, s.length, field);
  }

  parseAt(line: string, s: number, e: number, field: string): number {
    const cut = Math.max(s, e - 9);
    const hi = cut > s ? digitsAt(line, s, cut) : 0;
    const lo = digitsAt(line, cut, e);
    if (hi < 0 || lo < 0) throw new BadField(field, 'a whole number', line.slice(s, e));
    if (!belowTwoTo64(hi, lo)) throw new BadField(field, 'a whole number below 2^64 (a 64-bit tick count)', line.slice(s, e));
    if (this.hi0 === null) {
      this.hi0 = hi;
      this.lo0 = lo;
    }
    return exactNs(hi - this.hi0, 1e9 * this.nsPerTick, (lo - this.lo0) * this.nsPerTick);
  }

  bytesAt(buf: Uint8Array, s: number, e: number): number {
    const cut = Math.max(s, e - 9);
    const hi = cut > s ? digitsOf(buf, s, cut) : 0;
    const lo = digitsOf(buf, cut, e);
    if (hi < 0 || lo < 0 || !belowTwoTo64(hi, lo)) return NaN;
    if (this.hi0 === null) {
      this.hi0 = hi;
      this.lo0 = lo;
    }
    return exactNs(hi - this.hi0, 1e9 * this.nsPerTick, (lo - this.lo0) * this.nsPerTick);
  }
}

/** hi * 10^9 + lo < 2^64 = 18446744073 * 10^9 + 709551616, compared in parts (each exact). */
const belowTwoTo64 = (hi: number, lo: number): boolean => hi < 18446744073 || (hi === 18446744073 && lo < 709551616);

/** Whole units relative to the first value. */
export class RelativeWhole implements BytesClock {
  private base: number | null = null;
  constructor(private readonly nsPerUnit: number) {}
  parse(s: string, field: string): number {
    return this.parseAt(s, 0, s.length, field);
  }

  parseAt(line: string, s: number, e: number, field: string): number {
    const n = digitsAt(line, s, e);
    if (n < 0) throw new BadField(field, 'a whole number', line.slice(s, e));
    if (this.base === null) this.base = n;
    return exactNs(n - this.base, this.nsPerUnit);
  }

  bytesAt(buf: Uint8Array, s: number, e: number): number {
    const n = digitsOf(buf, s, e);
    if (n < 0) return NaN;
    if (this.base === null) this.base = n;
    return exactNs(n - this.base, this.nsPerUnit);
  }
}

/** A request's op from a letter or word ("R", "Read", "0"), or BadField naming what is allowed. */
export function opOf(s: string, table: Record<string, 'read' | 'write' | 'trim' | 'flush'>, field: string): 'read' | 'write' | 'trim' | 'flush' {
  const op = ownOp(table, s) ?? ownOp(table, s.toLowerCase());
  if (!op) throw new BadField(field, `one of ${Object.keys(table).join(', ')}`, s);
  return op;
}

/** table[word] when the table itself has it: "constructor" or "toString" are no op. */
export function ownOp<T>(table: Readonly<Record<string, T>>, word: string): T | undefined {
  return Object.hasOwn(table, word) ? table[word] : undefined;
}
