/**
 * Writes a SYNTHETIC MSR-Cambridge-format trace (gzip) for sweeps and benchmarks at scale:
 *   node dist/scripts/make-msr-trace.js OUT.csv.gz [requests=10000000] [devices=2] [span=256G per device]
 */
import { parseSize } from '../src/util/size.js';
import { writeSyntheticTrace } from './lib/synthetic-trace.js';

const [out, n = '10000000', devices = '2', span = '256G'] = process.argv.slice(2);
if (!out) {
  console.error('usage: make-msr-trace OUT.csv.gz [requests] [devices] [span per device]');
  process.exit(2);
}
const t0 = performance.now();
await writeSyntheticTrace(out, 'msr', { requests: Number(n), seed: 42, devices: Array.from({ length: Number(devices) }, (_, i) => String(i)), span: parseSize(span), tick: 100 });
console.log(`${out}: ${n} requests in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
