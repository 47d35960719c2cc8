/**
 * Tencent CBS block traces (2018): Timestamp,Offset,Size,IOType,VolumeID. Timestamp in seconds,
 * Offset and Size in 512-byte sectors, IOType 0 = read, 1 = write. Files have no header.
 */
import { RelativeWhole } from '../fields.js';
import { csvFormat, wholeUnits } from './csv-common.js';

export const tencent = csvFormat({
  name: 'tencent',
  describe: 'Tencent CBS CSV: Timestamp (s),Offset (sectors),Size (sectors),IOType (0 read|1 write),VolumeID',
  nameHint: /tencent|cbs/i,
  fields: ['Timestamp', 'Offset', 'Size', 'IOType', 'VolumeID'],
  writeHeader: false,
  col: { time: 0, offset: 1, size: 2, op: 3, device: 4 },
  unit: 512,
  ops: { '0': 'read', '1': 'write' },
  time: () => new RelativeWhole(1e9),
  looksLike: (f) => /^\d{9,10}$/.test(f[0]) && /^[01]$/.test(f[3]) && /^\d+$/.test(f[4]),
  write: (r) => `${wholeUnits(1538323200, 1e9, r.time)},${r.offset / 512},${r.length / 512},${r.op === 'read' ? 0 : 1},${r.device}`,
});
