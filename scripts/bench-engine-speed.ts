/**
 * bench:engine-speed: issue 10's engine-path speed figures in one command, each run in a fresh
 * process: requests/s of the deterministic in-memory replay of 4 KiB zipf(1.1) reads over 100
 * default-geometry L2 tables (64 KiB clusters, table_size 4), cache of 50, full with verification
 * and metadata-only, each as a whole (from opening the image) and its read phase alone (the 1 M
 * reads, after the image is made and its 100 tables written); and the wall time of the 6 sizes × 5 policies metadata-only sweep of
 * workloads/mixed-parallel.yaml with --jobs 2. With `--vs DIR` (another checkout, built) every
 * figure is also taken from DIR's dist/, interleaved run by run, and the ratio printed.
 *
 *   npm run bench:engine-speed -- [--ops 1000000] [--reps 3] [--skip-sweep] [--vs /tmp/base] [--json]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spread, type Spread } from './lib/samples.js';
import { timedReplay, ZIPF_DEFAULT_GEOMETRY } from './lib/zipf-replay.js';
import { benchArgs } from './lib/bench-args.js';

/** The dist/ directory this script was compiled into (dist/scripts/ → dist/). */
const OWN_DIST = fileURLToPath(new URL('../', import.meta.url));
const REPO = path.resolve(OWN_DIST, '..');


type Store = 'full' | 'metadata';
interface ReplaySample {
  requests: number;
  lookups: number;
  ns: number;
  /** The read phase alone (after the image is made and its tables written). */
  lastRequests: number;
  lastNs: number;
}

/** One replay in this process, using the runner of the checkout whose dist/ is `dist`. */
async function replayOnce(dist: string, store: Store, ops: number): Promise<ReplaySample> {
  const { runWorkload } = await import(pathToFileURL(path.join(dist, 'src/replay/runner.js')).href);
  const { parseWorkload } = await import(pathToFileURL(path.join(dist, 'src/workload/load.js')).href);
  const [w] = parseWorkload(ZIPF_DEFAULT_GEOMETRY, 'bench-engine-speed zipf', { set: [`phases[1].jobs[0].stop.ops=${ops}`] });
  const { requests, lookups, ns, lastRequests, lastNs } = await timedReplay(runWorkload, w, store);
  return { requests, lookups, ns, lastRequests, lastNs };
}

function childReplay(dist: string, store: Store, ops: number): ReplaySample {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', store, '--dist', dist, '--ops', String(ops)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`replay (${store}, ${dist}) failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ReplaySample;
}

/** Wall seconds of the 30-cell metadata-only sweep, run by `dist`'s CLI. */
function sweepSeconds(dist: string): number {
  const out = mkdtempSync(path.join(os.tmpdir(), 'qed-bench-engine-speed-'));
  try {
    const args = [path.join(dist, 'src/cli.js'), 'sweep', path.join(REPO, 'workloads/mixed-parallel.yaml'), '--cache-size', '4,8,16,32,64,128', '--policy', 'fifo,lru,arc,s3-fifo,sieve', '--jobs', '2', '--quiet', '--out', path.join(out, 'sweep.json')];
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, ['-e', `import(${JSON.stringify(pathToFileURL(args[0]).href)}).then((m) => m.main([process.argv[0], 'qed-bench', ...process.argv.slice(1)]))`, ...args.slice(1)], { encoding: 'utf8', cwd: REPO, maxBuffer: 1 << 26 });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) throw new Error(`sweep (${dist}) failed: ${r.stderr}`);
    return s;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const fmt = (s: Spread, digits = 0): string => `${s.median.toLocaleString('en-US', { maximumFractionDigits: digits })} (${s.min.toLocaleString('en-US', { maximumFractionDigits: digits })}–${s.max.toLocaleString('en-US', { maximumFractionDigits: digits })})`;

async function main(): Promise<void> {
  const { values } = benchArgs('bench:engine-speed', {
    options: {
      ops: { type: 'string', default: '1000000' },
      reps: { type: 'string', default: '3' },
      vs: { type: 'string' },
      'skip-sweep': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      child: { type: 'string' },
      dist: { type: 'string' },
    },
  });
  const ops = Number(values.ops);
  if (values.child) {
    process.stdout.write(`${JSON.stringify(await replayOnce(values.dist ?? OWN_DIST, values.child as Store, ops))}\n`);
    return;
  }
  const reps = Number(values.reps);
  const dists: Array<{ id: string; dist: string }> = [{ id: 'this', dist: OWN_DIST }];
  if (values.vs) {
    const d = path.join(path.resolve(values.vs), 'dist');
    if (!existsSync(path.join(d, 'src/replay/runner.js'))) throw new Error(`--vs ${values.vs}: no built dist/ there (run npm run build in it)`);
    dists.push({ id: 'vs', dist: d });
  }
  // A replay gives two figures: the whole run, and its read phase alone (key + '-read').
  const replay = (store: Store) => (d: string): number[] => {
    const s = childReplay(d, store, ops);
    return [s.requests / (s.ns / 1e9), s.lastRequests / (s.lastNs / 1e9)];
  };
  const tasks: Array<{ key: string; run: (dist: string) => number[] }> = [
    { key: 'full', run: replay('full') },
    { key: 'metadata', run: replay('metadata') },
  ];
  if (!values['skip-sweep']) tasks.push({ key: 'sweep', run: (d) => [sweepSeconds(d)] });
  const figures = tasks.flatMap((t) => (t.key === 'sweep' ? [t.key] : [t.key, `${t.key}-read`]));
  const samples = new Map<string, number[]>();
  const load0 = os.loadavg()[0];
  for (let rep = 0; rep < reps; rep++) {
    for (const t of tasks) {
      for (const d of rep % 2 === 0 ? dists : [...dists].reverse()) {
        const got = t.run(d.dist);
        got.forEach((v, i) => {
          const k = `${i === 0 ? t.key : `${t.key}-read`}/${d.id}`;
          samples.set(k, [...(samples.get(k) ?? []), v]);
          process.stderr.write(`rep ${rep + 1}/${reps}: ${k} ${v.toFixed(1)}\n`);
        });
      }
    }
  }
  const load1 = os.loadavg()[0];
  const rows = figures.map((key) => {
    const own = spread(samples.get(`${key}/this`)!);
    const vs = values.vs ? spread(samples.get(`${key}/vs`)!) : null;
    return { figure: key, own, vs, ratio: vs ? (key === 'sweep' ? vs.median / own.median : own.median / vs.median) : null };
  });
  if (values.json) {
    console.log(JSON.stringify({ ops, reps, vs: values.vs ?? null, loadAvg: [load0, load1], rows }, null, 2));
    return;
  }
  const label: Record<string, string> = {
    full: `zipf replay, full + verify (req/s)`,
    'full-read': `  its read phase alone (req/s)`,
    metadata: `zipf replay, metadata-only (req/s)`,
    'metadata-read': `  its read phase alone (req/s)`,
    sweep: `mixed-parallel 30-cell sweep, --jobs 2 (s)`,
  };
  console.log(`4 KiB zipf(1.1) reads over 100 default-geometry tables, cache 50, ${ops} requests; median (min–max) of ${reps}; load avg ${load0.toFixed(2)} → ${load1.toFixed(2)}`);
  for (const r of rows) {
    const d = r.figure === 'sweep' ? 1 : 0;
    console.log(`${label[r.figure].padEnd(44)} ${fmt(r.own, d).padStart(28)}${r.vs ? `   vs ${fmt(r.vs, d).padStart(28)}   speed-up ${r.ratio!.toFixed(2)}x` : ''}`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
