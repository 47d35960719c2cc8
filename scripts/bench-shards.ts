/**
 * bench:shards: how far SHARDS (src/cache/shards.ts) is from the exact LRU miss-ratio curve, on
 * table streams whose key space is large enough for a spatial sample to mean something. For each
 * key space (--tables) a zipf stream and a scan mix (half zipf, half a cyclic scan over as many
 * other tables) are built, their exact curve computed, and three SHARDS variants compared:
 * plain (÷ sampled lookups), adjusted (SHARDS_adj, what qed-bench uses) at rate --rate, and
 * fixed-size with at most --max sampled tables. Errors are absolute miss-ratio differences over
 * every cache size 1..distinct, and over the sizes ≥ 1/R the sample can resolve.
 *
 *   npm run bench:shards -- [--tables 1000,100000,1000000] [--accesses 5000000] [--theta 1.2]
 *                           [--rate 0.01] [--max 8192] [--json]
 */
import os from 'node:os';
import { LruStackDistances } from '../src/cache/mrc.js';
import { FixedSizeShards, ShardsCurve } from '../src/cache/shards.js';
import { table } from '../src/report/text-table.js';
import { curveError } from './lib/shards-error.js';
import { Rng } from '../src/util/random.js';
import { Scatter, zipfRanks } from '../src/workload/distributions.js';
import { benchArgs } from './lib/bench-args.js';

/** Bytes between L2 tables: QED's default table of 4 clusters of 64 KiB. */
const TABLE_SPAN = 4 * 65536;

const { values } = benchArgs('bench:shards', {
  options: {
    tables: { type: 'string', default: '1000,100000,1000000' },
    accesses: { type: 'string', default: '5000000' },
    theta: { type: 'string', default: '1.2' },
    rate: { type: 'string', default: '0.01' },
    max: { type: 'string', default: '8192' },
    json: { type: 'boolean', default: false },
  },
});
const positive = (name: string, v: string): number => {
  const n = Number(v);
  if (!(n > 0)) {
    console.error(`bench:shards: --${name} must be a positive number, got "${v}"`);
    process.exit(2);
  }
  return n;
};
const TABLES = values.tables!.split(',').map((t) => Math.round(positive('tables', t)));
const ACCESSES = Math.round(positive('accesses', values.accesses!));
const THETA = positive('theta', values.theta!);
const RATE = positive('rate', values.rate!);
const MAX = Math.round(positive('max', values.max!));

interface ErrorRow {
  stream: string;
  tables: number;
  distinct: number;
  variant: string;
  /** The rate at the end (fixed-size lowers it as keys arrive) and the tables sampled. */
  rate: number;
  keys: number;
  meanError: number;
  /** Over sizes ≥ 1/R: what a sample at rate R can resolve. */
  meanErrorResolved: number;
  maxErrorResolved: number;
  ms: number;
}

function stream(kind: 'zipf' | 'scan-mix', tables: number): Float64Array {
  const zipf = zipfRanks(tables, THETA);
  const scatter = new Scatter(tables);
  const rng = new Rng(1, kind === 'zipf' ? 1 : 2);
  const out = new Float64Array(ACCESSES);
  let scan = 0;
  for (let i = 0; i < out.length; i++) {
    if (kind === 'zipf' || rng.below(2) === 0) out[i] = scatter.map(zipf.next(rng)) * TABLE_SPAN;
    else {
      out[i] = (tables + scan) * TABLE_SPAN;
      scan = scan + 1 === tables ? 0 : scan + 1;
    }
  }
  return out;
}

function feed<T extends { access(key: number): void }>(data: Float64Array, s: T): { s: T; ms: number } {
  const t0 = performance.now();
  for (let i = 0; i < data.length; i++) s.access(data[i]);
  return { s, ms: performance.now() - t0 };
}

function main(): void {
  const load = os.loadavg();
  const rows: ErrorRow[] = [];
  const exactMs: Record<string, number> = {};
  for (const tables of TABLES) {
    for (const kind of ['zipf', 'scan-mix'] as const) {
      if (!values.json) console.error(`  ${kind} over ${tables} tables: ${ACCESSES} accesses`);
      const data = stream(kind, tables);
      const exact = feed(data, new LruStackDistances());
      exactMs[`${kind}/${tables}`] = exact.ms;
      const distinct = exact.s.distinctKeys;
      const curve = exact.s.curve(distinct);
      const sizes = Array.from({ length: distinct }, (_, i) => i + 1);
      const variants: Array<[string, { s: ShardsCurve | FixedSizeShards; ms: number }]> = [
        [`plain R=${RATE}`, feed(data, new ShardsCurve(RATE, { adjust: false }))],
        [`adjusted R=${RATE}`, feed(data, new ShardsCurve(RATE))],
        [`fixed-size s_max=${MAX}`, feed(data, new FixedSizeShards(MAX))],
      ];
      for (const [variant, { s, ms }] of variants) {
        rows.push({ stream: kind, tables, distinct, variant, rate: s.sampleRate, keys: s.sampledKeys, ...curveError(s.missRatios(sizes), curve, distinct, s.sampleRate), ms });
      }
    }
  }
  const after = os.loadavg();
  if (values.json) {
    console.log(JSON.stringify({ accesses: ACCESSES, theta: THETA, loadavg: [load, after], exactMs, rows }, null, 2));
    return;
  }
  console.log(`\nSHARDS error against the exact LRU curve: ${ACCESSES} accesses per stream, zipf θ=${THETA}; load average ${load[0].toFixed(1)} → ${after[0].toFixed(1)}`);
  console.log('mean/max |estimate − exact| of the miss ratio over cache sizes 1..distinct ("all") and over sizes ≥ 1/R ("resolved")');
  const f = (x: number) => x.toFixed(4);
  console.log(
    table(
      ['stream', 'tables', 'distinct', 'variant', 'final R', 'sampled', 'mean (all)', 'mean (resolved)', 'max (resolved)', 'ms'],
      rows.map((r) => [r.stream, String(r.tables), String(r.distinct), r.variant, r.rate.toPrecision(3), String(r.keys), f(r.meanError), f(r.meanErrorResolved), f(r.maxErrorResolved), r.ms.toFixed(0)]),
    ).join('\n'),
  );
}

main();
