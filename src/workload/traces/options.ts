/** Trace settings written as text (YAML and command line): speed, column maps, units. */
import { Expected } from '../../config/units.js';
import type { ParseOptions } from './types.js';

export const FIT_MODES = ['error', 'wrap', 'scale'] as const;
export const TIMINGS = ['fast', 'original'] as const;
export const OFFSET_UNITS: Record<string, number> = { byte: 1, sector: 512 };
export const TIME_UNITS: Record<string, number> = { s: 1e9, ms: 1e6, us: 1e3, ns: 1 };
const COLUMN_NAMES = ['time', 'offset', 'size', 'op', 'device'] as const;
/** Columns are counted per line; no trace has this many. */
const MAX_COLUMN = 1024;

/** "10x", "10" or "0.5x": a replay speed factor > 0. */
export function parseSpeed(v: string | number): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*x?\s*$/i.exec(String(v));
  const n = m ? Number(m[1]) : NaN;
  if (!(n > 0)) throw new Expected('expected a speed factor above 0 such as 2, 10x or 0.5x');
  // 400 digits read as Infinity: every time 0, not the factor typed.
  if (!Number.isFinite(n)) throw new Expected('expected a speed factor above 0 and below 2^1024 such as 2, 10x or 0.5x');
  return n;
}

/** "time=1,offset=3,size=4,op=2" (1-based columns); offset and size required. */
export function parseColumns(v: string | number): NonNullable<ParseOptions['columns']> {
  const out: NonNullable<ParseOptions['columns']> = {};
  for (const part of String(v).split(',')) {
    const m = /^\s*(\w+)\s*=\s*(\d+)\s*$/.exec(part);
    const key = m?.[1] as (typeof COLUMN_NAMES)[number] | undefined;
    if (!m || !COLUMN_NAMES.includes(key!) || Number(m[2]) < 1) {
      throw new Expected(`expected columns such as time=1,offset=3,size=4,op=2 (names: ${COLUMN_NAMES.join(', ')}; 1-based)`);
    }
    if (out[key!] !== undefined) throw new Expected(`expected each column name once, found ${key} twice`);
    const n = Number(m[2]);
    if (n > MAX_COLUMN) throw new Expected(`expected columns from 1 to ${MAX_COLUMN}, found ${key}=${m[2]}`);
    const other = COLUMN_NAMES.find((k) => out[k] === n);
    if (other) throw new Expected(`expected a column of its own for each name, found ${other} and ${key} both in column ${n}`);
    out[key!] = n;
  }
  if (out.offset === undefined || out.size === undefined) throw new Expected('expected columns naming at least offset and size, e.g. offset=3,size=4');
  return out;
}
