/**
 * The shape the published CSV block traces share (one request per line, fixed columns): a
 * format file names its columns, units and op letters, and this builds its reader and writer.
 */
import { BadField, type LineParser, type TextFormat, type TraceOp, type TraceRequest } from '../types.js';
import { columnOf, whole } from '../fields.js';

export interface CsvSpec {
  name: string;
  describe: string;
  nameHint: RegExp | null;
  /** Column names in file order, for messages and the header check. */
  fields: readonly string[];
  /** The header line real files carry (skipped on line 1 when present), or null. */
  header: string | null;
  /** Whether our writer emits the header. */
  writeHeader: boolean;
  /** 0-based columns. */
  col: { time: number; op: number; offset: number; size: number; device: number };
  /** Bytes per offset/size unit. */
  unit: number;
  ops: Record<string, TraceOp>;
  /** A stateful time parser (ns relative to the first value) per reader. */
  time: () => (s: string, field: string) => number;
  /** True when split data fields look like this format (headerless files). */
  looksLike(f: string[]): boolean;
  /** Writes one request; `time` is ns since the first request. */
  write(r: TraceRequest): string;
}

export function csvFormat(spec: CsvSpec): TextFormat {
  const n = spec.fields.length;
  const { col, unit } = spec;
  const names = spec.fields;
  return {
    kind: 'text',
    name: spec.name,
    describe: spec.describe,
    nameHint: spec.nameHint,
    header: spec.writeHeader && spec.header ? spec.header : '',
    sniff(first) {
      if (spec.header && first.replace(/\s+/g, '').toLowerCase() === spec.header.toLowerCase()) return true;
      const f = first.split(',');
      return f.length === n && spec.looksLike(f);
    },
    parser(): LineParser {
      const time = spec.time();
      const header = spec.header?.toLowerCase() ?? null;
      return (line, lineNo) => {
        if (line.length === 0) return null;
        const f = line.split(',');
        if (f.length < n) {
          if (lineNo === 1 && header !== null && line.replace(/\s+/g, '').toLowerCase() === header) return null;
          throw new BadField('line', `${n} comma-separated fields (${names.join(',')})`, line.length > 60 ? `${line.slice(0, 60)}…` : line, 1);
        }
        let k = col.time;
        try {
          const t = time(f[k], names[k]);
          k = col.op;
          const op = spec.ops[f[k]] ?? spec.ops[f[k].trim().toLowerCase()];
          if (op === undefined) throw new BadField(names[k], `one of ${Object.keys(spec.ops).join(', ')}`, f[k]);
          k = col.offset;
          const offset = whole(f[k], names[k]) * unit;
          k = col.size;
          const length = whole(f[k], names[k]) * unit;
          return { time: t, op, offset, length, device: f[col.device], line: lineNo };
        } catch (err) {
          if (!(err instanceof BadField)) throw err;
          if (lineNo === 1 && header !== null && line.replace(/\s+/g, '').toLowerCase() === header) return null;
          throw new BadField(err.field, err.expected, err.found, columnOf(line, ',', k));
        }
      };
    },
    writer: () => spec.write,
  };
}

/** Whole seconds / ns, µs... since an epoch, written as base + time. */
export function wholeUnits(base: number, nsPerUnit: number, t: number): string {
  return String(base + Math.round(t / nsPerUnit));
}

/** ns since the first request as decimal seconds after `base`: 6 decimals when exact, else 9. */
export function decimalSeconds(base: number, t: number): string {
  const s = Math.floor(t / 1e9);
  const ns = t - s * 1e9;
  const frac = ns % 1000 === 0 ? String(ns / 1000).padStart(6, '0') : String(ns).padStart(9, '0');
  return `${base + s}.${frac}`;
}
