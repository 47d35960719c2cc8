/**
 * Fujitsu K5cloud traces (SNIA IOTTA): ID,Timestamp,Type,Offset,Length. ID is the volume,
 * Timestamp in decimal seconds, Type R or W, Offset and Length in bytes. Files have no header.
 */
import { DecimalSeconds } from '../fields.js';
import { RW_LETTERS, csvFormat, decimalSeconds } from './csv-common.js';

export const k5cloud = csvFormat({
  name: 'k5cloud',
  describe: 'K5cloud CSV: ID (volume),Timestamp (s),Type (R|W),Offset (bytes),Length (bytes)',
  nameHint: /k5/i,
  fields: ['ID', 'Timestamp', 'Type', 'Offset', 'Length'],
  writeHeader: false,
  col: { device: 0, time: 1, op: 2, offset: 3, size: 4 },
  unit: 1,
  ops: RW_LETTERS,
  time: () => new DecimalSeconds(),
  looksLike: (f) => /^\d+(\.\d+)?$/.test(f[1]) && /^[RW]$/.test(f[2]),
  write: (r) => `${r.device},${decimalSeconds(0, r.time)},${r.op === 'read' ? 'R' : 'W'},${r.offset},${r.length}`,
});
