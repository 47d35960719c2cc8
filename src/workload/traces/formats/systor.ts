/**
 * SYSTOR '17 enterprise VDI traces: Timestamp,Response,IOType,LUN,Offset,Size. Timestamp and
 * Response in decimal seconds, IOType R or W, Offset and Size in bytes; LUN is the device.
 * Files start with that header line.
 */
import { DecimalSeconds } from '../fields.js';
import { RW_LETTERS, csvFormat, decimalSeconds } from './csv-common.js';

export const systor = csvFormat({
  name: 'systor',
  describe: "SYSTOR '17 CSV: Timestamp (s),Response (s),IOType (R|W),LUN,Offset (bytes),Size (bytes)",
  nameHint: /systor|lun\d/i,
  fields: ['Timestamp', 'Response', 'IOType', 'LUN', 'Offset', 'Size'],
  writeHeader: true,
  col: { time: 0, op: 2, device: 3, offset: 4, size: 5 },
  unit: 1,
  ops: RW_LETTERS,
  time: () => new DecimalSeconds(),
  looksLike: (f) => /^\d+\.\d+$/.test(f[0]) && /^[RW]$/.test(f[2]),
  write: (r) => `${decimalSeconds(1486117350, r.time)},0.000100,${r.op === 'read' ? 'R' : 'W'},${r.device},${r.offset},${r.length}`,
});
