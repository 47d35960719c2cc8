/**
 * The shape the published CSV block traces share (one request per line, fixed columns): a
 * format file names its columns, units and op letters, and this builds its reader and writer.
 */
import { BadField, type LineParser, type TextFormat, type TraceOp, type TraceRequest } from '../types.js';
import { AsciiIds, AsciiTable, commaFields } from '../ascii-fields.js';
import { opCodes } from '../batch.js';
import { columnOf, digitsAt, ownOp, type BytesClock } from '../fields.js';
import { csvScanner } from '../csv-scan.js';

export interface CsvSpec {
  name: string;
  describe: string;
  nameHint: RegExp | null;
  /** Column names in file order, for messages and the header line (the names joined by commas, skipped on line 1 when present). */
  fields: readonly string[];
  /** Whether our writer emits the header. */
  writeHeader: boolean;
  /** 0-based columns. */
  col: { time: number; op: number; offset: number; size: number; device: number };
  /** Bytes per offset/size unit. */
  unit: number;
  ops: Record<string, TraceOp>;
  /** A stateful time parser per reader: line[s, e) as ns relative to the first value. */
  time: () => BytesClock & { parseAt(line: string, s: number, e: number, field: string): number };
  /** True when split data fields look like this format (headerless files). */
  looksLike(f: string[]): boolean;
  /** Writes one request; `time` is ns since the first request. */
  write(r: TraceRequest): string;
}

/** R/W op letters in either case, as most of these traces write them. */
export const RW_LETTERS: Readonly<Record<string, TraceOp>> = Object.freeze({ R: 'read', W: 'write', r: 'read', w: 'write' });

export function csvFormat(spec: CsvSpec): TextFormat {
  const n = spec.fields.length;
  const { col, unit } = spec;
  const names = spec.fields;
  const headerLine = names.join(',');
  return {
    kind: 'text',
    name: spec.name,
    describe: spec.describe,
    nameHint: spec.nameHint,
    sectorUnits: unit === 512,
    header: spec.writeHeader ? headerLine : '',
    sniff(first) {
      if (first.replace(/\s+/g, '').toLowerCase() === headerLine.toLowerCase()) return true;
      const f = first.split(',');
      return f.length === n && spec.looksLike(f);
    },
    parser(): LineParser {
      const time = spec.time();
      const header = headerLine.toLowerCase();
      const starts = new Int32Array(n + 1);
      const isHeader = (line: string, lineNo: number) => lineNo === 1 && line.replace(/\s+/g, '').toLowerCase() === header;
      const bad = (line: string, lineNo: number, k: number, err: BadField): null => {
        if (isHeader(line, lineNo)) return null;
        throw new BadField(err.field, err.expected, err.found, columnOf(line, ',', k));
      };
      const num = (line: string, lineNo: number, k: number): number => {
        const v = digitsAt(line, starts[k], starts[k + 1] - 1);
        if (v < 0) bad(line, lineNo, k, new BadField(names[k], 'a whole number', line.slice(starts[k], starts[k + 1] - 1)));
        return v;
      };
      const parse: LineParser = (line, lineNo) => {
        if (line.length === 0) return null;
        // Field k is line[starts[k], starts[k + 1] - 1): no split, no substrings for numbers.
        let at = 0;
        let k = 0;
        starts[0] = 0;
        while (k < n) {
          const c = line.indexOf(',', at);
          if (c < 0) break;
          starts[++k] = at = c + 1;
        }
        if (k < n - 1) {
          if (isHeader(line, lineNo)) return null;
          throw new BadField('line', `${n} comma-separated fields (${names.join(',')})`, line.length > 60 ? `${line.slice(0, 60)}…` : line, 1);
        }
        if (k === n - 1) starts[n] = line.length + 1;
        let t: number;
        try {
          t = time.parseAt(line, starts[col.time], starts[col.time + 1] - 1, names[col.time]);
        } catch (err) {
          if (!(err instanceof BadField)) throw err;
          return bad(line, lineNo, col.time, err);
        }
        const opText = line.slice(starts[col.op], starts[col.op + 1] - 1);
        const op = ownOp(spec.ops, opText) ?? ownOp(spec.ops, opText.trim().toLowerCase());
        if (op === undefined) return bad(line, lineNo, col.op, new BadField(names[col.op], `one of ${Object.keys(spec.ops).join(', ')}`, opText));
        const offset = num(line, lineNo, col.offset);
        const length = num(line, lineNo, col.size);
        if (offset < 0 || length < 0) return null; // the header line
        return { time: t, op, offset: offset * unit, length: length * unit, device: line.slice(starts[col.device], starts[col.device + 1] - 1), line: lineNo };
      };
      // The same steps on bytes; anything it cannot vouch for goes to the text parser above.
      const ops = new AsciiTable(opCodes(spec.ops), false);
      const devices = new AsciiIds();
      const at = new Int32Array(n + 1);
      const values = new Float64Array(n + 1);
      parse.fast = (buf, s, e, lineNo, out) => {
        if (!commaFields(buf, s, e, at, values, n)) return false;
        const t = time.bytesAt(buf, at[col.time], at[col.time + 1] - 1);
        if (t !== t) return false;
        const op = ops.get(buf, at[col.op], at[col.op + 1] - 1);
        if (op === undefined) return false;
        const offset = values[col.offset];
        const length = values[col.size];
        if (offset < 0 || length < 0) return false;
        const device = devices.get(buf, at[col.device], at[col.device + 1] - 1, out.devices);
        if (device < 0) return false;
        out.reserve();
        out.set(t, op, offset * unit, length * unit, device, lineNo);
        return true;
      };
      parse.scan = csvScanner(n, col, unit, time, ops, devices);
      return parse;
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
