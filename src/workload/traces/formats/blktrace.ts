/**
 * blktrace binary (one device's per-CPU files merged with `blkparse -d`): 48-byte records
 * {magic u32, sequence u32, time u64 ns, sector u64, bytes u32, action u32, pid u32, device u32,
 * cpu u16, error u16, pdu_len u16, pad} followed by pdu_len bytes, in the tracing host's byte order
 * (found from the magic). Only queue events are requests (action & 0xffff == 1, as fio); the
 * category bits (action >> 16) give the direction: discard, write, else read; a flush with no
 * bytes is a flush. The device is "major,minor" (dev >> 20, dev & 0xfffff).
 */
import { BadField, type BinaryFormat, type RecordParser, type TraceOp } from '../types.js';
import { TIME_EXACT } from '../fields.js';

const HEADER = 48;
const MAGIC = 0x65617400;
const TA_QUEUE = 1;
const TC_WRITE = 1 << 1;
const TC_FLUSH = 1 << 2;
const TC_NOTIFY = 1 << 10;
const TC_DISCARD = 1 << 13;

const u64Exact = (buf: Buffer, at: number, le: boolean): bigint => (le ? buf.readBigUInt64LE(at) : buf.readBigUInt64BE(at));

function u64(buf: Buffer, at: number, le: boolean): number {
  const lo = le ? buf.readUInt32LE(at) : buf.readUInt32BE(at + 4);
  const hi = le ? buf.readUInt32LE(at + 4) : buf.readUInt32BE(at);
  return hi * 2 ** 32 + lo;
}

const magicOf = (buf: Buffer, at: number, le: boolean) => ((le ? buf.readUInt32LE(at) : buf.readUInt32BE(at)) & 0xffffff00) >>> 0;

export const blktrace: BinaryFormat = {
  kind: 'binary',
  name: 'blktrace',
  sectorUnits: true,
  describe: 'blktrace binary (merged with blkparse -d): 48-byte records + pdu; queue events only',
  nameHint: /blktrace/i,
  sniff: (b) => b.length >= 4 && (magicOf(b, 0, true) === MAGIC || magicOf(b, 0, false) === MAGIC),
  parser(): RecordParser {
    let le: boolean | null = null;
    let t0: number | null = null;
    let t0Exact = 0n;
    return (buf, at, no) => {
      if (buf.length - at < HEADER) return 'more';
      if (le === null) le = magicOf(buf, at, true) === MAGIC;
      if (magicOf(buf, at, le) !== MAGIC) {
        throw new BadField('magic', `0x${MAGIC.toString(16)}xx (a blktrace record)`, `0x${(le ? buf.readUInt32LE(at) : buf.readUInt32BE(at)).toString(16)}`);
      }
      const pdu = le ? buf.readUInt16LE(at + 44) : buf.readUInt16BE(at + 44);
      const size = HEADER + pdu;
      if (buf.length - at < size) return 'more';
      const action = le ? buf.readUInt32LE(at + 28) : buf.readUInt32BE(at + 28);
      const cat = action >>> 16;
      if ((action & 0xffff) !== TA_QUEUE || cat & TC_NOTIFY) return { req: null, size };
      const ns = u64(buf, at + 8, le);
      if (t0 === null) {
        t0 = ns;
        t0Exact = u64Exact(buf, at + 8, le);
      }
      const bytes = le ? buf.readUInt32LE(at + 24) : buf.readUInt32BE(at + 24);
      const dev = le ? buf.readUInt32LE(at + 36) : buf.readUInt32BE(at + 36);
      const device = `${dev >>> 20},${dev & 0xfffff}`;
      let time = ns - t0;
      // Past 2^53 the Numbers are rounded (hi * 2^32 + lo): the exact difference, or a bad record naming it.
      if (ns > Number.MAX_SAFE_INTEGER || t0 > Number.MAX_SAFE_INTEGER) {
        const rel = u64Exact(buf, at + 8, le) - t0Exact;
        time = Number(rel);
        if (BigInt(time) !== rel) throw new BadField('time', TIME_EXACT, `${u64Exact(buf, at + 8, le)} ns (the first record's: ${t0Exact} ns)`);
      }
      if (bytes === 0) return { req: cat & TC_FLUSH ? { time, op: 'flush', offset: 0, length: 0, device, line: no } : null, size };
      const op: TraceOp = cat & TC_DISCARD ? 'trim' : cat & TC_WRITE ? 'write' : 'read';
      const sector = u64(buf, at + 16, le);
      // Past 2^53 bytes the Number is rounded: name the sector as the record holds it.
      if (sector * 512 + bytes > Number.MAX_SAFE_INTEGER) {
        const exact = le ? buf.readBigUInt64LE(at + 16) : buf.readBigUInt64BE(at + 16);
        throw new BadField('sector', 'a request ending below 2^53 bytes (8 PiB)', `sector ${exact} (${exact * 512n} bytes) + ${bytes} bytes`);
      }
      return { req: { time, op, offset: sector * 512, length: bytes, device, line: no }, size };
    };
  },
  writer() {
    let seq = 0;
    return (r) => {
      const b = Buffer.alloc(HEADER);
      b.writeUInt32LE(MAGIC | 7, 0);
      b.writeUInt32LE(++seq, 4);
      b.writeBigUInt64LE(BigInt(r.time), 8);
      b.writeBigUInt64LE(BigInt(r.offset / 512), 16);
      b.writeUInt32LE(r.length, 24);
      const cat = r.op === 'flush' ? TC_FLUSH | TC_WRITE : r.op === 'trim' ? TC_DISCARD | TC_WRITE : r.op === 'write' ? TC_WRITE : 1;
      b.writeUInt32LE(((cat << 16) | TA_QUEUE) >>> 0, 28);
      const [maj, min] = r.device.split(',').map(Number);
      b.writeUInt32LE(((maj << 20) | min) >>> 0, 36);
      return b;
    };
  },
};
