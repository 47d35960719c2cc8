/**
 * blkparse's default text output: `maj,min cpu seq sec.nsec pid action RWBS sector + nsectors [proc]`.
 * Only queue events (action Q) are requests, as fio replays them; RWBS D is a discard (trim), W a
 * write, R a read, F with no sectors a flush. Sectors are 512 bytes. Other events and blkparse's
 * summary lines are skipped.
 */
import { BadField, type LineParser, type TextFormat } from '../types.js';
import { DecimalSeconds, whole, wordColumnOf } from '../fields.js';

const EVENT = /^\s*\d+,\d+\s/;

export const blkparse: TextFormat = {
  kind: 'text',
  name: 'blkparse',
  describe: 'blkparse text: maj,min cpu seq sec.nsec pid action RWBS sector + nsectors [proc]; queue (Q) events only',
  nameHint: /blkparse|\.blk\.txt|blktrace.*\.txt/i,
  sniff: (first) => /^\s*\d+,\d+\s+\d+\s+\d+\s+\d+\.\d+\s+\d+\s+[A-Z]{1,2}\s+[A-Z]+/.test(first),
  header: '',
  parser(): LineParser {
    const clock = new DecimalSeconds();
    return (line, lineNo) => {
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
        if (w[8] !== '+') {
          if (rwbs.includes('F')) return { time, op: 'flush', offset: 0, length: 0, device, line: lineNo };
          return null;
        }
        at = 7;
        const sector = whole(w[7], 'sector');
        at = 9;
        const n = whole(w[9] ?? '', 'nsectors');
        if (n === 0) return rwbs.includes('F') ? { time, op: 'flush', offset: 0, length: 0, device, line: lineNo } : null;
        const op = rwbs.includes('D') ? 'trim' : rwbs.includes('W') ? 'write' : rwbs.includes('R') ? 'read' : null;
        if (!op) return null;
        return { time, op, offset: sector * 512, length: n * 512, device, line: lineNo };
      } catch (err) {
        if (!(err instanceof BadField) || err.col !== undefined) throw err;
        throw new BadField(err.field, err.expected, err.found, wordColumnOf(line, at));
      }
    };
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
