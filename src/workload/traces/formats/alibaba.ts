/**
 * Alibaba cloud block traces (2020): device_id,opcode,offset,length,timestamp. opcode R or W,
 * offset and length in bytes, timestamp in microseconds. Files have no header.
 */
import { RelativeWhole } from '../fields.js';
import { RW_LETTERS, csvFormat, wholeUnits } from './csv-common.js';

export const alibaba = csvFormat({
  name: 'alibaba',
  describe: 'Alibaba block trace CSV: device_id,opcode (R|W),offset (bytes),length (bytes),timestamp (µs)',
  nameHint: /alibaba|ali_?block|io_traces?/i,
  fields: ['device_id', 'opcode', 'offset', 'length', 'timestamp'],
  writeHeader: false,
  col: { device: 0, op: 1, offset: 2, size: 3, time: 4 },
  unit: 1,
  ops: RW_LETTERS,
  time: () => new RelativeWhole(1000),
  looksLike: (f) => /^\d+$/.test(f[0]) && /^[RW]$/.test(f[1]) && /^\d{10,}$/.test(f[4]),
  write: (r) => `${r.device},${r.op === 'read' ? 'R' : 'W'},${r.offset},${r.length},${wholeUnits(1577808000000000, 1000, r.time)}`,
});
