/**
 * bench:memory: peak RSS of the whole process for a one-cell sweep of a workload, metadata-only
 * and --full (issue 10's targets: 128 MB and 256 MB for workloads/mixed-parallel.yaml), each
 * build given with --bin side by side in one run (e.g. the current one and an older checkout's).
 * Each sample is a fresh `node BIN sweep ...` process whose own peak (getrusage maxrss, read by
 * a preloaded module at exit) is the figure; the table shows median and spread of --reps.
 *
 *   npm run bench:memory -- [--workload workloads/mixed-parallel.yaml] [--reps 3] [--bin bin/qed-bench.js ...] [--json]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { table } from '../src/report/text-table.js';
import { rotation, spread, type Spread } from './lib/samples.js';
import { benchArgs } from './lib/bench-args.js';

const TARGET_MB = { metadata: 128, full: 256 } as const;
type Store = keyof typeof TARGET_MB;

// Written to a temp file and preloaded with --import: reports this process's peak RSS at exit.
const PRELOAD = `import { writeFileSync } from 'node:fs';
process.on('exit', () => writeFileSync(process.env.QED_BENCH_MAXRSS_FILE, String(process.resourceUsage().maxRSS * 1024)));
`;

interface Row {
  bin: string;
  store: Store;
  peakMB: Spread;
  seconds: Spread;
}

function main(): void {
  const { values } = benchArgs('bench:memory', {
    options: {
      workload: { type: 'string', default: 'workloads/mixed-parallel.yaml' },
      reps: { type: 'string', default: '3' },
      bin: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
    },
  });
  const reps = Number(values.reps);
  const bins = values.bin?.length ? values.bin : ['bin/qed-bench.js'];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qed-bench-memory-'));
  const preload = path.join(dir, 'maxrss.mjs');
  writeFileSync(preload, PRELOAD);
  const load0 = os.loadavg();
  const samples = new Map<string, { mb: number[]; s: number[] }>();
  const cases = bins.flatMap((bin) => (['metadata', 'full'] as const).map((store) => ({ bin, store })));
  try {
    for (let rep = 0; rep < reps; rep++) {
      for (const c of rotation(cases, rep)) {
        const out = path.join(dir, 'rss');
        const args = ['--import', preload, c.bin, 'sweep', values.workload!, '--cache-size', '50', '--policy', 'fifo', '--jobs', '1', '-q', '-o', path.join(dir, 'sweep.json'), ...(c.store === 'full' ? ['--full'] : [])];
        const t0 = performance.now();
        const r = spawnSync(process.execPath, args, { env: { ...process.env, QED_BENCH_MAXRSS_FILE: out }, encoding: 'utf8' });
        const s = (performance.now() - t0) / 1000;
        if (r.status !== 0) throw new Error(`${c.bin} sweep (${c.store}) exited ${r.status}: ${r.stderr}`);
        const key = `${c.bin}\u0000${c.store}`;
        const entry = samples.get(key) ?? { mb: [], s: [] };
        entry.mb.push(Number(readFileSync(out, 'utf8')) / 1048576);
        entry.s.push(s);
        samples.set(key, entry);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const load1 = os.loadavg();
  const rows: Row[] = cases.map((c) => {
    const x = samples.get(`${c.bin}\u0000${c.store}`)!;
    return { bin: c.bin, store: c.store, peakMB: spread(x.mb), seconds: spread(x.s) };
  });
  if (values.json) {
    console.log(JSON.stringify({ workload: values.workload, reps, loadavg1: [load0[0], load1[0]], rows }, null, 2));
    return;
  }
  const f = (x: Spread, d: number) => `${x.median.toFixed(d)} (${x.min.toFixed(d)}-${x.max.toFixed(d)})`;
  console.log(`one-cell sweep of ${values.workload} (cache 50, fifo, --jobs 1), ${reps} reps; peak RSS of the whole process in MiB (getrusage maxrss, as /usr/bin/time -v's kbytes / 1024), median (min-max)`);
  console.log(
    table(
      ['build', 'store', 'peak RSS MiB', 'target', 'wall s'],
      rows.map((r) => [r.bin, r.store, f(r.peakMB, 0), `${r.peakMB.median <= TARGET_MB[r.store] ? '<=' : '>'} ${TARGET_MB[r.store]}`, f(r.seconds, 1)]),
    ).join('\n'),
  );
  console.log(`load average (1 min): ${load0[0].toFixed(2)} at start, ${load1[0].toFixed(2)} at end (${os.cpus().length} cores, shared)`);
}

main();
