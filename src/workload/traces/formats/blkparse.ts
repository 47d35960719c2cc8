/**
 * blkparse's default text output: `maj,min cpu seq sec.nsec pid action RWBS sector + nsectors [proc]`.
 * Only queue events (action Q) are requests, as fio replays them; RWBS D is a discard (trim), W a
 * write, R a read, F with no sectors a flush. Sectors are 512 bytes. Other events and blkparse's
 * summary lines are skipped.
 */
import { BadField, type LineParser, type TextFormat } from '../types.js';
import { DecimalSeconds, digitsOf, whole, wordColumnOf } from '../fields.js';
import { AsciiIds, spaceWords } from '../ascii-fields.js';
import { FLUSH, OP_CODE } from '../batch.js';
import { wordScanner, type WordsStep } from '../word-scan.js';

const EVENT = /^\s*\d+,\d+\s/;

const [F, D, W, R] = [1, 2, 4, 8];
/** RWBS letters the text parser accepts, as flag bits (0: allowed, not an op). */
const RWBS: Record<number, number> = Object.fromEntries([...'RWDFNSMAE'].map((c) => [c.charCodeAt(0), { F, D, W, R }[c as 'F'] ?? 0]));

/** buf[s, e) is digits,digits (the event's device). */
function majMin(buf: Uint8Array, s: number, e: number): boolean {
  let i = s;
  while (i < e && buf[i] >= 48 && buf[i] <= 57) i++;
  if (i === s || i === e || buf[i] !== 44) return false;
  const j = ++i;
  while (i < e && buf[i] >= 48 && buf[i] <= 57) i++;
  return i === e && i > j;
}

export const blkparse: TextFormat = {
  kind: 'text',
  name: 'blkparse',
  sectorUnits: true,
  describe: 'blkparse text: maj,min cpu seq sec.nsec pid action RWBS sector + nsectors [proc]; queue (Q) events only',
  nameHint: /blkparse|\.blk\.txt|blktrace.*\.txt/i,
  sniff: (first) => /^\s*\d+,\d+\s+\d+\s+\d+\s+\d+\.\d+\s+\d+\s+[A-Z]{1,2}\s+[A-Z]+/.test(first),
  header: '',
  parser(): LineParser {
    const clock = new DecimalSeconds();
    const parse: LineParser = (line, lineNo) => {
      if (!EVENT.test(line)) return null;
      const w = line.trim().split(/\s+/);
      if (w[5] !== 'Q') return null;
      let at = 3;
      try {
        const time = clock.parse(w[3], 'time');
        at = 6;
        const rwbs = w[6] ?? '';
        if (!/^[RWDFNSMAE]+$/.test(rwbs)) throw new BadField('RWBS', 'flags such as R, W, WS, D or FWS', rwbs);
        const device = w[0];
        const op = rwbs.includes('D') ? 'trim' : rwbs.includes('W') ? 'write' : rwbs.includes('R') ? 'read' : null;
        if (w[8] !== '+') {
          if (rwbs.includes('F')) return { time, op: 'flush', offset: 0, length: 0, device, line: lineNo };
          // A read, write or discard with no "sector + n" is a cut or mangled line, not an event to skip.
          at = 7;
          if (op) throw new BadField('sector', `"sector + nsectors" after a ${rwbs} queue event`, w.slice(7, 10).join(' '));
          return null;
        }
        at = 7;
        const sector = whole(w[7], 'sector');
        at = 9;
        const n = whole(w[9] ?? '', 'nsectors');
        if (n === 0 && rwbs.includes('F')) return { time, op: 'flush', offset: 0, length: 0, device, line: lineNo };
        // A read, write or discard of 0 sectors goes on as one of 0 bytes, which the reader counts as a bad line.
        if (!op) return null;
        return { time, op, offset: sector * 512, length: n * 512, device, line: lineNo };
      } catch (err) {
        if (!(err instanceof BadField) || err.col !== undefined) throw err;
        throw new BadField(err.field, err.expected, err.found, wordColumnOf(line, at));
      }
    };
    // Events on bytes: the first ten words are all the text parser reads; odd lines go to it.
    const devices = new AsciiIds();
    const starts = new Int32Array(11);
    const ends = new Int32Array(11);
    const fromWords: WordsStep = (buf, n, lineNo, out) => {
      if (n < 2 || !majMin(buf, starts[0], ends[0])) return false;
      if (n < 6 || ends[5] - starts[5] !== 1 || buf[starts[5]] !== 81) return true; // not a queue (Q) event: skipped
      if (n < 7) return false;
      // RWBS flags: which of F, D, W, R it has; anything outside [RWDFNSMAE] goes to the text parser.
      let flags = 0;
      for (let i = starts[6]; i < ends[6]; i++) {
        const f = RWBS[buf[i]];
        if (f === undefined) return false;
        flags |= f;
      }
      const plus = n > 8 && ends[8] - starts[8] === 1 && buf[starts[8]] === 43;
      const sector = plus ? digitsOf(buf, starts[7], ends[7]) : 0;
      const count = plus ? (n > 9 ? digitsOf(buf, starts[9], ends[9]) : -1) : 0;
      if (sector < 0 || count < 0) return false;
      const device = devices.get(buf, starts[0], ends[0], out.devices);
      if (device < 0) return false;
      const time = clock.bytesAt(buf, starts[3], ends[3]);
      if (time !== time) return false;
      let op = -1;
      if ((!plus || count === 0) && flags & F) op = FLUSH;
      else if (!plus && flags & (D | W | R)) return false; // no "sector + n": the text parser names the line
      else op = flags & D ? OP_CODE.trim : flags & W ? OP_CODE.write : flags & R ? OP_CODE.read : -1;
      if (op < 0) return true;
      out.reserve();
      if (op === FLUSH) out.set(time, op, 0, 0, device, lineNo);
      else out.set(time, op, sector * 512, count * 512, device, lineNo);
      return true;
    };
    parse.fast = (buf, s, e, lineNo, out) => fromWords(buf, spaceWords(buf, s, e, starts, ends, 10), lineNo, out);
    parse.scan = wordScanner(starts, ends, 10, fromWords);
    return parse;
  },
  writer() {
    let seq = 0;
    return (r) => {
      const s = Math.floor(r.time / 1e9);
      const ns = String(r.time - s * 1e9).padStart(9, '0');
      const rwbs = r.op === 'flush' ? 'FWS' : r.op === 'trim' ? 'D' : r.op === 'write' ? 'W' : 'R';
      const where = r.op === 'flush' ? '0 + 0' : `${r.offset / 512} + ${r.length / 512}`;
      return `${r.device.padStart(4)} ${'0'.padStart(3)} ${String(++seq).padStart(8)} ${String(s).padStart(5)}.${ns} ${'1'.padStart(5)}  Q  ${rwbs.padEnd(3)} ${where} [qed-bench]`;
    };
  },
};
