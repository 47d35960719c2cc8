/**
 * MSR Cambridge block traces (SNIA IOTTA): Timestamp,Hostname,DiskNumber,Type,Offset,Size,ResponseTime.
 * Timestamp is a Windows filetime (100 ns ticks since 1601), Type Read or Write, Offset and Size in
 * bytes; DiskNumber is the device. Files have no header.
 */
import { BigTicks } from '../fields.js';
import { csvFormat } from './csv-common.js';

/** 2007-02-22, where the published traces start: our writer's epoch. */
const EPOCH_TICKS = 128166372000000000n;

export const msr = csvFormat({
  name: 'msr',
  describe: 'MSR Cambridge CSV: Timestamp (Windows filetime),Hostname,DiskNumber,Type (Read|Write),Offset (bytes),Size (bytes),ResponseTime',
  nameHint: /(^|[^a-z])(msr|hm|mds|prn|proj|prxy|rsrch|src[12]|stg|ts|usr|wdev|web)_\d+\.csv/i,
  fields: ['Timestamp', 'Hostname', 'DiskNumber', 'Type', 'Offset', 'Size', 'ResponseTime'],
  writeHeader: false,
  col: { time: 0, device: 2, op: 3, offset: 4, size: 5 },
  unit: 1,
  ops: { Read: 'read', Write: 'write', read: 'read', write: 'write' },
  time: () => new BigTicks(100),
  looksLike: (f) => /^\d{15,}$/.test(f[0]) && /^(Read|Write)$/i.test(f[3]),
  write: (r) => `${EPOCH_TICKS + BigInt(Math.round(r.time / 100))},host,${r.device},${r.op === 'read' ? 'Read' : 'Write'},${r.offset},${r.length},0`,
});
