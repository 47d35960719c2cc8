/**
 * Field-level parsers for the workload YAML: sizes, percentages and durations. Each returns the
 * value in the unit the runner uses or throws Expected, whose message starts with "expected"
 * so the error formatter can append what was found.
 */
import { SizeError, parseSize } from '../util/size.js';

export class Expected extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'Expected';
  }
}

const SIZE_EXAMPLES = 'a size such as 512, 4k, 64KiB or 2G';
const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

/** A plain decimal number ("1.5", ".5", "70"); null if the text is anything else. */
export function decimal(text: string): number | null {
  const s = text.trim();
  return NUMBER.test(s) ? Number(s) : null;
}

/** Bytes from a YAML number or a size string; at least `min`. */
export function bytes(v: string | number, min = 0): number {
  const what = min > 0 ? `${SIZE_EXAMPLES} (at least ${min} byte${min === 1 ? '' : 's'})` : SIZE_EXAMPLES;
  let n: number;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new Expected(`expected ${what}, as a whole number of bytes`);
    n = v;
  } else {
    try {
      n = parseSize(v);
    } catch (err) {
      if (!(err instanceof SizeError)) throw err;
      if (/whole number/.test(err.message)) throw new Expected('expected a whole number of bytes');
      if (/too large/.test(err.message)) throw new Expected('expected a size below 8 PiB (2^53 bytes)');
      throw new Expected(`expected ${what}`, /^\d/.test(v) ? 'units are k, M, G, T (powers of 1024), optionally followed by iB or B' : undefined);
    }
  }
  if (n < min) throw new Expected(`expected ${what}`);
  return n;
}

export type SizeOrPercent = { bytes: number } | { percent: number };

/** "25%" (of whatever the field is relative to) or a byte size. */
export function bytesOrPercent(v: string | number): SizeOrPercent {
  if (typeof v === 'string' && v.trim().endsWith('%')) {
    return { percent: percent(v) };
  }
  try {
    return { bytes: bytes(v) };
  } catch (err) {
    if (err instanceof Expected && err.message === `expected ${SIZE_EXAMPLES}`) {
      throw new Expected(`expected ${SIZE_EXAMPLES}, or a percentage such as 50%`);
    }
    throw err;
  }
}

/** 0..100, written 70 or "70%". */
export function percent(v: string | number): number {
  const n = typeof v === 'number' ? v : decimal(v.trim().replace(/%$/, ''));
  if (n === null || !Number.isFinite(n) || n < 0 || n > 100) {
    throw new Expected('expected a percentage from 0 to 100 (70 or "70%")');
  }
  return n;
}

const DURATION = /^((?:\d+(?:\.\d*)?|\.\d+))\s*(us|µs|ms|s|m|min|h)$/;
const MICROS: Record<string, number> = { us: 1, µs: 1, ms: 1e3, s: 1e6, m: 60e6, min: 60e6, h: 3600e6 };
const DURATION_EXAMPLES = 'a duration such as 100us, 500ms, 10s or 2m';

/** Microseconds from "100us", "1.5ms", "10s", "2m", "1h"; a bare number is only accepted if 0. */
export function micros(v: string | number): number {
  if (v === 0) return 0;
  if (typeof v === 'number') {
    throw new Expected(`expected ${DURATION_EXAMPLES}`, `add a unit, e.g. ${v}ms or ${v}s`);
  }
  const m = DURATION.exec(v.trim());
  if (!m) throw new Expected(`expected ${DURATION_EXAMPLES}`, 'units are us, ms, s, m (minutes) and h');
  const us = Number(m[1]) * MICROS[m[2]];
  // Decimal fractions such as 0.1ms are inexact in binary; snap to the nearest nanosecond.
  return Math.round(us * 1000) / 1000;
}

/** The longest sleep Node's timers take: past 2^31 − 1 ms a timer fires after 1 ms (a think time of years was none). */
const MAX_SLEEP_US = (2 ** 31 - 1) * 1000;

/** Whole microseconds (think time), at most MAX_SLEEP_US. */
export function wholeMicros(v: string | number): number {
  const us = micros(v);
  if (!Number.isInteger(us)) throw new Expected(`expected ${DURATION_EXAMPLES} in whole microseconds`);
  if (us > MAX_SLEEP_US) throw new Expected(`expected ${DURATION_EXAMPLES}, at most 2^31 − 1 ms (about 24.8 days), the longest timer Node sets`);
  return us;
}

/** Milliseconds, more than zero (stop.duration). */
export function positiveMillis(v: string | number): number {
  const us = micros(v);
  if (us <= 0) throw new Expected(`expected ${DURATION_EXAMPLES}, more than zero`);
  return us / 1000;
}
