/**
 * libCacheSim's oracleGeneral binary: 24-byte little-endian records {clock_time u32 (s),
 * obj_id u64, obj_size u32, next_access_vtime i64}. For block traces the object id is the
 * request's byte offset and the size its length; every record is a read on device "0".
 */
import { BadField, type BinaryFormat, type RecordParser } from '../types.js';

const RECORD = 24;

export const oracleGeneral: BinaryFormat = {
  kind: 'binary',
  name: 'oracle-general',
  describe: "libCacheSim oracleGeneral: 24-byte records {time u32 s, obj_id u64 = offset, obj_size u32 = length, next_access i64}",
  nameHint: /oracleGeneral|\.oracle/i,
  sniff: () => false,
  parser(): RecordParser {
    let t0: number | null = null;
    return (buf, at, no) => {
      if (buf.length - at < RECORD) return 'more';
      const t = buf.readUInt32LE(at);
      if (t0 === null) t0 = t;
      const id = buf.readBigUInt64LE(at + 4);
      if (id > BigInt(Number.MAX_SAFE_INTEGER)) throw new BadField('obj_id', 'an offset below 2^53', String(id));
      return { req: { time: (t - t0) * 1e9, op: 'read', offset: Number(id), length: buf.readUInt32LE(at + 12), device: '0', line: no }, size: RECORD };
    };
  },
  writer() {
    return (r) => {
      const b = Buffer.alloc(RECORD);
      b.writeUInt32LE(Math.round(r.time / 1e9), 0);
      b.writeBigUInt64LE(BigInt(r.offset), 4);
      b.writeUInt32LE(r.length, 12);
      b.writeBigInt64LE(-1n, 16);
      return b;
    };
  },
};
