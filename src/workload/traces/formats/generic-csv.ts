/**
 * Any other CSV trace, with the columns named on the command line:
 * `--columns time=1,offset=3,size=4,op=2,device=5` (1-based; offset and size required),
 * `--offset-unit sector|byte` and `--time-unit s|ms|us|ns`. op takes R/W, Read/Write (any case)
 * or 0 = read, 1 = write; without an op column every request is a read, without device "0".
 * A first line whose offset column is not a number is taken as a header.
 */
import { BadField, type LineParser, type ParseOptions, type TextFormat, type TraceOp } from '../types.js';
import { AsciiIds, AsciiTable, commaFields, trimmable } from '../ascii-fields.js';
import { opCodes } from '../batch.js';
import { DecimalSeconds, columnOf, whole } from '../fields.js';
import { decimalSeconds } from './csv-common.js';

const OPS: Record<string, TraceOp> = { r: 'read', w: 'write', read: 'read', write: 'write', '0': 'read', '1': 'write', t: 'trim', trim: 'trim', d: 'trim', f: 'flush', flush: 'flush' };

export const genericCsv: TextFormat = {
  kind: 'text',
  name: 'csv',
  describe: 'generic CSV with --columns time=N,offset=N,size=N,op=N,device=N (1-based), --offset-unit, --time-unit',
  nameHint: null,
  sniff: () => false,
  header: 'time,op,offset,size,device',
  parser(opts: ParseOptions): LineParser {
    const c = opts.columns ?? { time: 1, op: 2, offset: 3, size: 4, device: 5 };
    if (c.offset === undefined || c.size === undefined) throw new Error('--columns must name offset and size, e.g. --columns time=1,offset=3,size=4,op=2');
    const unit = opts.offsetUnit ?? 1;
    const clock = new DecimalSeconds(opts.timeUnit ?? 1e9);
    const at = { time: (c.time ?? 0) - 1, op: (c.op ?? 0) - 1, offset: c.offset - 1, size: c.size - 1, device: (c.device ?? 0) - 1 };
    const need = Math.max(...Object.values(at)) + 1;
    const parse: LineParser = (line, lineNo) => {
      if (line.length === 0) return null;
      const f = line.split(',');
      let k = 0;
      try {
        if (f.length < need) throw new BadField('line', `at least ${need} comma-separated fields`, String(f.length));
        k = at.offset;
        const offset = whole(f[k].trim(), `column ${k + 1} (offset)`) * unit;
        k = at.size;
        const length = whole(f[k].trim(), `column ${k + 1} (size)`) * unit;
        k = at.time;
        const time = k >= 0 ? clock.parse(f[k].trim(), `column ${k + 1} (time)`) : 0;
        k = at.op;
        let op: TraceOp = 'read';
        if (k >= 0) {
          const o = OPS[f[k].trim().toLowerCase()];
          if (!o) throw new BadField(`column ${k + 1} (op)`, 'R, W, Read, Write, 0 (read) or 1 (write)', f[k]);
          op = o;
        }
        return { time, op, offset, length, device: at.device >= 0 ? f[at.device].trim() : '0', line: lineNo };
      } catch (err) {
        if (!(err instanceof BadField)) throw err;
        if (lineNo === 1 && k === at.offset) return null; // a header
        throw new BadField(err.field, err.expected, err.found, columnOf(line, ',', k));
      }
    };
    // The same steps on bytes, for lines with no spaces to trim; the rest go to the text parser.
    const ops = new AsciiTable(opCodes(OPS), true);
    const devices = new AsciiIds();
    const starts = new Int32Array(need + 1);
    const values = new Float64Array(need + 1);
    parse.fast = (buf, s, e, lineNo, out) => {
      if (!commaFields(buf, s, e, starts, values, need)) return false;
      const offset = values[at.offset];
      const length = values[at.size];
      if (offset < 0 || length < 0) return false;
      let time = 0;
      if (at.time >= 0) {
        time = clock.bytesAt(buf, starts[at.time], starts[at.time + 1] - 1);
        if (time !== time) return false;
      }
      let op: number | undefined = 0;
      if (at.op >= 0) {
        op = ops.get(buf, starts[at.op], starts[at.op + 1] - 1);
        if (op === undefined) return false;
      }
      let device = -1;
      if (at.device >= 0) {
        const ds = starts[at.device];
        const de = starts[at.device + 1] - 1;
        if (de > ds && (trimmable(buf[ds]) || trimmable(buf[de - 1]))) return false;
        device = devices.get(buf, ds, de, out.devices);
        if (device < 0) return false;
      } else device = out.devices.id('0');
      out.reserve();
      out.set(time, op, offset * unit, length * unit, device, lineNo);
      return true;
    };
    return parse;
  },
  writer() {
    return (r) => `${decimalSeconds(0, r.time)},${r.op === 'read' ? 'R' : r.op === 'write' ? 'W' : r.op === 'trim' ? 'T' : 'F'},${r.offset},${r.length},${r.device}`;
  },
};
