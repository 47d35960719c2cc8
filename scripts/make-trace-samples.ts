/**
 * Generates workloads/traces/: one small SYNTHETIC sample per trace format (no real trace can be
 * downloaded here), in each format's exact published layout. Run: npx tsx scripts/make-trace-samples.ts
 * The files are committed; rerunning gives the same bytes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { formatByName } from '../src/workload/traces/formats.js';
import { encodeTrace } from '../src/workload/traces/writer.js';
import { syntheticTrace, type SyntheticOptions } from './lib/synthetic-trace.js';

const DIR = join(import.meta.dirname, '..', 'workloads', 'traces');
const N = 3000;
const GIB = 1024 ** 3;

const samples: Array<{ file: string; format: string; gzip?: boolean; o: Omit<SyntheticOptions, 'requests'> }> = [
  { file: 'msr-hm.csv.gz', format: 'msr', gzip: true, o: { seed: 1, devices: ['0', '1'], span: 8 * GIB, tick: 100 } },
  { file: 'alibaba.csv', format: 'alibaba', o: { seed: 2, devices: ['3', '7'], span: 4 * GIB, tick: 1000 } },
  { file: 'tencent-cbs.csv', format: 'tencent', o: { seed: 3, devices: ['1063'], span: 4 * GIB, tick: 1e9, unit: 512 } },
  { file: 'systor17.csv', format: 'systor', o: { seed: 4, devices: ['0', '4'], span: 4 * GIB, tick: 1000 } },
  { file: 'k5cloud.csv', format: 'k5cloud', o: { seed: 5, devices: ['12'], span: 4 * GIB, tick: 1000 } },
  { file: 'fio.iolog', format: 'iolog', o: { seed: 6, devices: ['/dev/vdb'], span: 2 * GIB, tick: 1000, ops: ['read', 'write', 'flush'] } },
  { file: 'sda.blkparse.txt', format: 'blkparse', o: { seed: 7, devices: ['8,0'], span: 2 * GIB, tick: 1, unit: 512, ops: ['read', 'write', 'flush'] } },
  { file: 'sda.blktrace', format: 'blktrace', o: { seed: 8, devices: ['8,0'], span: 2 * GIB, tick: 1, unit: 512 } },
  { file: 'w01.oracleGeneral', format: 'oracle-general', o: { seed: 9, devices: ['0'], span: 2 * GIB, tick: 1e9, ops: ['read'] } },
  { file: 'generic.csv', format: 'csv', o: { seed: 10, devices: ['vol1'], span: 2 * GIB, tick: 1 } },
];

for (const s of samples) {
  const bytes = encodeTrace(formatByName(s.format)!, syntheticTrace({ ...s.o, requests: N }));
  writeFileSync(join(DIR, s.file), s.gzip ? gzipSync(bytes, { level: 9 }) : bytes);
  console.log(`${s.file}: ${N} requests (${s.format})`);
}
