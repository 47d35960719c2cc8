/**
 * fio iologs, versions 2 and 3 (first line "fio version N iolog"). Request lines are
 * `[time] file action offset length` with action read, write, trim, sync or datasync; file lines
 * `[time] file add|open|close`. Each file is a device. v3 times are microseconds since the job
 * started. v2 has no times; as fio's iolog.c treats it, `file wait N` holds replay until N
 * MILLISECONDS after the job started (fio's HOWTO says a relative wait in microseconds; fio's code
 * compares N with mtime_since_genesis()), so a v2 request's time is the latest wait before it.
 * fio ignores wait lines in v3, and so do we. A request on a file no `add` line named before it is
 * a bad line: fio's replay has no file to send it to.
 */
import { BadField, type DeviceIds, type LineParser, type TextFormat, type TraceOp } from '../types.js';
import { digitsOf, exactNs, whole, wordColumnOf } from '../fields.js';
import { AsciiIds, AsciiTable, spaceWords } from '../ascii-fields.js';
import { FLUSH, opCodes } from '../batch.js';

const ACTIONS: Record<string, TraceOp> = { read: 'read', write: 'write', trim: 'trim', sync: 'flush', datasync: 'flush' };
const FILE_ACTIONS = new Set(['add', 'open', 'close']);

export const iolog: TextFormat = {
  kind: 'text',
  name: 'iolog',
  describe: 'fio iolog v2/v3: "fio version 3 iolog", then [µs] file read|write|trim|sync offset length, and file add|open|close lines',
  nameHint: /\.iolog|iolog/i,
  sniff: (first) => /^fio version [23] iolog/.test(first),
  header: 'fio version 3 iolog',
  parser(): LineParser {
    let version = 0;
    let waitNs = 0;
    let t0: number | null = null;
    const added = new Set<string>();
    const parse: LineParser = (line, lineNo) => {
      if (version === 0) {
        const m = /^fio version ([23]) iolog/.exec(line);
        if (!m) throw new BadField('header', '"fio version 2 iolog" or "fio version 3 iolog" (fio dropped version 1)', line.slice(0, 40), 1);
        version = Number(m[1]);
        return null;
      }
      const w = line.trim().split(/\s+/);
      if (w.length === 1 && w[0] === '') return null;
      const v3 = version === 3;
      const k = v3 ? 1 : 0; // index of the file name
      let at = 0;
      try {
        let time = waitNs;
        if (v3) {
          const us = whole(w[0], 'time', 'microseconds since the start');
          if (t0 === null) t0 = us;
          time = exactNs(us - t0, 1000);
        }
        at = k + 1;
        const action = w[k + 1];
        if (action === undefined) throw new BadField('action', 'read, write, trim, sync, datasync, add, open or close', '');
        if (w.length === k + 2 && FILE_ACTIONS.has(action)) {
          if (action === 'add') added.add(w[k]);
          return null;
        }
        if (action === 'wait') {
          if (!v3) waitNs = exactNs(whole(w[k + 2] ?? '', 'wait', 'milliseconds since the start'), 1e6);
          if (!Number.isFinite(waitNs)) throw new BadField('wait', 'milliseconds since the start that a double holds in nanoseconds', w[k + 2]);
          return null;
        }
        const op = ACTIONS[action];
        if (!op) throw new BadField('action', 'read, write, trim, sync, datasync, wait, add, open or close', action);
        if (w.length !== k + 4) throw new BadField('line', `${v3 ? 'time file' : 'file'} action offset length`, line.trim());
        if (!added.has(w[k])) {
          at = k;
          throw new BadField('file', `a file named by an earlier "${w[k]} add" line`, w[k]);
        }
        at = k + 2;
        const offset = whole(w[k + 2], 'offset');
        at = k + 3;
        const length = whole(w[k + 3], 'length');
        return op === 'flush' ? { time, op, offset: 0, length: 0, device: w[k], line: lineNo } : { time, op, offset, length, device: w[k], line: lineNo };
      } catch (err) {
        if (!(err instanceof BadField) || err.col !== undefined) throw err;
        throw new BadField(err.field, err.expected, err.found, wordColumnOf(line, at));
      }
    };
    // Request lines (time file action offset length) on bytes; header, file, wait and odd lines go to the text parser.
    const actions = new AsciiTable(opCodes(ACTIONS), false);
    const devices = new AsciiIds();
    // Which device ids (of the batch's device names, `addedFor`) name an added file.
    let addedFor: DeviceIds | null = null;
    const addedIds: boolean[] = [];
    const starts = new Int32Array(6);
    const ends = new Int32Array(6);
    parse.fast = (buf, s, e, lineNo, out) => {
      if (version === 0) return false;
      const k = version === 3 ? 1 : 0;
      if (spaceWords(buf, s, e, starts, ends, 5) !== k + 4) return false;
      const op = actions.get(buf, starts[k + 1], ends[k + 1]);
      if (op === undefined) return false;
      const offset = digitsOf(buf, starts[k + 2], ends[k + 2]);
      const length = digitsOf(buf, starts[k + 3], ends[k + 3]);
      const us = k ? digitsOf(buf, starts[0], ends[0]) : 0;
      if (offset < 0 || length < 0 || us < 0) return false;
      const device = devices.get(buf, starts[k], ends[k], out.devices);
      if (device < 0) return false;
      if (addedFor !== out.devices) {
        addedFor = out.devices;
        addedIds.length = 0;
      }
      if (addedIds[device] !== true) {
        if (!added.has(buf.toString('latin1', starts[k], ends[k]))) return false; // the text path names the bad line
        addedIds[device] = true;
      }
      let time = waitNs;
      if (k) {
        if (t0 === null) t0 = us;
        time = exactNs(us - t0, 1000);
      }
      out.reserve();
      if (op === FLUSH) out.set(time, op, 0, 0, device, lineNo);
      else out.set(time, op, offset, length, device, lineNo);
      return true;
    };
    return parse;
  },
  writer() {
    const added = new Set<string>();
    return (r) => {
      const t = Math.round(r.time / 1000);
      const add = added.has(r.device) ? '' : `${t} ${r.device} add\n${t} ${r.device} open\n`;
      added.add(r.device);
      const action = r.op === 'flush' ? 'sync' : r.op;
      return `${add}${t} ${r.device} ${action} ${r.offset} ${r.length}`;
    };
  },
};
