/** bench:sim's command-line options (one set for every benchmark it runs). */
import { benchArgs } from '../lib/bench-args.js';
import { POLICY_NAMES } from '../../src/cache/policies/index.js';
import { parsePolicies } from '../../src/cli/sweep.js';

export interface Options {
  /** Accesses of each cache-alone stream (and of the curves). */
  accesses: number;
  reps: number;
  capacity: number;
  tables: number;
  theta: number;
  scanTables: number;
  shardsRate: number;
  shardsMax: number;
  /** Requests of the read phase of the zipf replays (the figure is at 1 M). */
  requests: number;
  /** Policies of the cache-alone table (all by default). */
  policies: string[];
  /** libCacheSim's cachesim binary, to time it on the same stream; null: not compared. */
  libcachesim: string | null;
  skipCurve: boolean;
  skipReplay: boolean;
  json: boolean;
}

export const USAGE = `npm run bench:sim -- [--accesses 10000000] [--reps 3] [--capacity 50] [--tables 1000] [--theta 1.2]
                     [--scan-tables 100000] [--shards-rate 0.01] [--shards-max 1000] [--requests 1000000]
                     [--policies fifo,lru,...] [--libcachesim PATH/TO/cachesim] [--skip-curve] [--skip-replay] [--json]`;

export function parseOptions(argv: string[] = process.argv.slice(2)): Options {
  const { values } = benchArgs('bench:sim', {
    args: argv,
    options: {
      accesses: { type: 'string', default: '10000000' },
      reps: { type: 'string', default: '3' },
      capacity: { type: 'string', default: '50' },
      tables: { type: 'string', default: '1000' },
      theta: { type: 'string', default: '1.2' },
      'scan-tables': { type: 'string', default: '100000' },
      'shards-rate': { type: 'string', default: '0.01' },
      'shards-max': { type: 'string', default: '1000' },
      requests: { type: 'string', default: '1000000' },
      policies: { type: 'string' },
      libcachesim: { type: 'string' },
      'skip-curve': { type: 'boolean', default: false },
      'skip-replay': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  }, USAGE);
  const int = (name: string, v: string, min: number): number => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}, got "${v}"`);
    return n;
  };
  const theta = Number(values.theta);
  if (!(theta > 0) || theta === 1) throw new Error(`--theta must be > 0 and not 1, got "${values.theta}"`);
  const shardsRate = Number(values['shards-rate']);
  if (!(shardsRate > 0 && shardsRate <= 1)) throw new Error(`--shards-rate must be in (0, 1], got "${values['shards-rate']}"`);
  return {
    accesses: int('accesses', values.accesses!, 1000),
    reps: int('reps', values.reps!, 1),
    capacity: int('capacity', values.capacity!, 1),
    tables: int('tables', values.tables!, 2),
    theta,
    scanTables: int('scan-tables', values['scan-tables']!, 1),
    shardsRate,
    shardsMax: int('shards-max', values['shards-max']!, 1),
    requests: int('requests', values.requests!, 1),
    policies: values.policies === undefined ? [...POLICY_NAMES] : parsePolicies(values.policies, '--policies'),
    libcachesim: values.libcachesim ?? null,
    skipCurve: values['skip-curve']!,
    skipReplay: values['skip-replay']!,
    json: values.json!,
  };
}
