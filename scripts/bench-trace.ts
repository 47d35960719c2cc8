/**
 * bench:trace: trace parse rate per format (requests/s through our reader's columns, next to a
 * plain `readline` loop over the same file as the limit), and MSR-format gzip traces of
 * increasing length replayed in bounded memory, each in a child process so its peak RSS is its
 * own: through the engine (`run --metadata-only`: one cache of 50, fifo) and cache only (the L2
 * table stream through one cache, no engine). RSS flat across lengths = nothing grows with the
 * trace. All traces are SYNTHETIC, generated to a temp dir.
 *
 * With --sweep-lines N: the issue's done-when demo, an engine `sweep` (5 sizes × 4 policies by
 * default, --jobs 2) of one synthetic N-request MSR trace, in a child process: wall time, peak RSS.
 *
 *   npm run bench:trace -- [--lines 1000000] [--reps 3] [--replay-lines 1000000,10000000]
 *                          [--replay engine,cache-only] [--sweep-lines N] [--sweep-sizes 4,8,16,32,64]
 *                          [--sweep-policies fifo,lru,s3-fifo,sieve] [--sweep-jobs 2] [--json]
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { run as runCli } from '../src/cli.js';
import type { RunResults } from '../src/metrics/results.js';
import type { SweepResults } from '../src/metrics/sweep-results.js';
import { cacheOnlySweep } from '../src/experiments/cache-only.js';
import { findOnPath } from '../src/util/find-on-path.js';
import { limitHeap } from '../src/util/heap-limits.js';
import { TraceReader } from '../src/workload/traces/reader.js';
import { fmtInt, rotation, spread, type Spread } from './lib/samples.js';
import { peakRssBytes } from './lib/peak-rss.js';
import { writeSyntheticTrace } from './lib/synthetic-trace.js';
import { benchArgs } from './lib/bench-args.js';

const { values } = benchArgs('bench:trace', {
  options: {
    lines: { type: 'string', default: '1000000' },
    reps: { type: 'string', default: '3' },
    'replay-lines': { type: 'string', default: '1000000,10000000' },
    replay: { type: 'string', default: 'engine,cache-only' },
    json: { type: 'boolean', default: false },
    'sweep-lines': { type: 'string', default: '0' },
    'sweep-sizes': { type: 'string', default: '4,8,16,32,64' },
    'sweep-policies': { type: 'string', default: 'fifo,lru,s3-fifo,sieve' },
    'sweep-jobs': { type: 'string', default: '2' },
    'child-replay': { type: 'string' },
    'child-run': { type: 'string' },
    'child-sweep': { type: 'string' },
  },
});
const LINES = Number(values.lines);
const REPS = Number(values.reps);
const GIB = 1024 ** 3;

interface Case {
  name: string;
  format: string;
  file: string;
  /** The plain-readline limit: null for binary formats (no lines). */
  baseline: ((file: string) => Promise<number>) | null;
}

async function readlineCount(input: NodeJS.ReadableStream): Promise<number> {
  let n = 0;
  for await (const _ of createInterface({ input, crlfDelay: Infinity })) n++;
  return n;
}

const plainLines = (f: string) => readlineCount(createReadStream(f, { highWaterMark: 1 << 20 }));
const gzipLines = (f: string) => readlineCount(createReadStream(f, { highWaterMark: 1 << 20 }).pipe(createGunzip()));
const zstdLines = (f: string) => readlineCount(spawn('zstd', ['-dc', f], { stdio: ['ignore', 'pipe', 'inherit'] }).stdout);

async function ours(file: string, format: string): Promise<number> {
  let n = 0;
  const r = new TraceReader(file, format === 'csv' ? { format } : {});
  for await (const b of r.columns()) n += b.n;
  return n;
}

/** Requests/s by the wall clock, and by this process's CPU time (steadier on a shared machine). */
async function rate(fn: () => Promise<number>): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const n = await fn();
  const c = process.cpuUsage(c0);
  return { wall: n / ((performance.now() - t0) / 1000), cpu: n / ((c.user + c.system) / 1e6) };
}

interface RateRow {
  name: string;
  ours: Spread;
  readline: Spread | null;
  /** Median of ours ÷ readline by CPU time (the zstd limit's decompression runs in a child process: not counted). */
  cpuRatio: number | null;
}

async function parseRates(dir: string): Promise<RateRow[]> {
  const opts = { requests: LINES, seed: 1, devices: ['0', '1'], span: 64 * GIB };
  const cases: Case[] = [];
  const add = async (name: string, format: string, ext: string, extra: Partial<typeof opts> & { tick?: number; unit?: number; ops?: Array<'read' | 'write' | 'flush'> }, baseline: Case['baseline']) => {
    const file = path.join(dir, `${name}${ext}`);
    await writeSyntheticTrace(file, format, { ...opts, ...extra });
    cases.push({ name, format, file, baseline });
  };
  await add('msr', 'msr', '.csv', { tick: 100 }, plainLines);
  await add('msr .gz', 'msr', '.csv.gz', { tick: 100 }, gzipLines);
  if (findOnPath('zstd')) {
    execFileSync('zstd', ['-q', '-f', path.join(dir, 'msr.csv'), '-o', path.join(dir, 'msr.csv.zst')]);
    cases.push({ name: 'msr .zst (fzstd)', format: 'msr', file: path.join(dir, 'msr.csv.zst'), baseline: zstdLines });
  }
  await add('alibaba', 'alibaba', '.csv', { devices: ['3', '7'], tick: 1000 }, plainLines);
  await add('tencent', 'tencent', '.csv', { tick: 1e9, unit: 512 }, plainLines);
  await add('systor', 'systor', '.csv', { tick: 1000 }, plainLines);
  await add('k5cloud', 'k5cloud', '.csv', { tick: 1000 }, plainLines);
  await add('csv (generic)', 'csv', '.csv', { tick: 1 }, plainLines);
  await add('fio iolog v3', 'iolog', '.iolog', { devices: ['/dev/vdb'], tick: 1000 }, plainLines);
  await add('blkparse', 'blkparse', '.blkparse.txt', { devices: ['8,0'], tick: 1, unit: 512 }, plainLines);
  await add('blktrace', 'blktrace', '.blktrace', { devices: ['8,0'], tick: 1, unit: 512 }, null);
  await add('oracleGeneral', 'oracle-general', '.oracleGeneral', { devices: ['0'], tick: 1e9, ops: ['read'] }, null);
  const rows = [];
  for (const c of cases) {
    const o: Array<{ wall: number; cpu: number }> = [];
    const b: Array<{ wall: number; cpu: number }> = [];
    for (let rep = 0; rep < REPS; rep++) {
      for (const which of rotation(['ours', 'readline'] as const, rep)) {
        if (which === 'ours') o.push(await rate(() => ours(c.file, c.format)));
        else if (c.baseline) b.push(await rate(() => c.baseline!(c.file)));
      }
    }
    const cpu = (xs: Array<{ cpu: number }>) => spread(xs.map((x) => x.cpu)).median;
    rows.push({ name: c.name, ours: spread(o.map((x) => x.wall)), readline: c.baseline ? spread(b.map((x) => x.wall)) : null, cpuRatio: c.baseline ? cpu(o) / cpu(b) : null });
    if (!values.json) console.error(`  ${c.name} done`);
  }
  return rows;
}

type ReplayMode = 'engine' | 'cache-only';

interface ReplayRow {
  mode: ReplayMode;
  requests: number;
  ms: number;
  maxRssMiB: number;
  hitRate: number;
}

/** In a child process, so its peak RSS is the replay's alone. */
function replayInChild(file: string, mode: ReplayMode): Omit<ReplayRow, 'mode'> {
  return inChild(mode === 'engine' ? '--child-run' : '--child-replay', file, `${mode} replay`);
}

function inChild<T>(flag: string, file: string, what: string, extra: string[] = []): T {
  const r = spawnSync(process.execPath, [new URL(import.meta.url).pathname, flag, file, ...extra], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${what} of ${file} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

interface SweepRow {
  requests: number;
  cells: number;
  ms: number;
  /** Of the whole process: the sweep's worker threads are in it. */
  maxRssMiB: number;
  status: string;
  /** Hit rate per cell, "size policy" → rate. */
  hitRates: Record<string, number>;
}

/** The sweep's argument list, the same in the child and in the printed command. */
const sweepArgs = (file: string) => ['sweep', file, '--format', 'msr', '--cache-size', values['sweep-sizes']!, '--policy', values['sweep-policies']!, '--jobs', values['sweep-jobs']!, '-q'];

/** `qed-bench sweep TRACE` (engine, deterministic, metadata-only in memory: sweep's defaults), in this process. */
async function childSweep(file: string): Promise<void> {
  const out = `${file}.sweep.json`;
  const t0 = performance.now();
  const code = await runCli([...sweepArgs(file), '-o', out], { stdout: () => {}, stderr: (t) => void process.stderr.write(t) });
  const ms = performance.now() - t0;
  if (code !== 0) throw new Error(`qed-bench sweep exited ${code}`);
  const s = JSON.parse(await readFile(out, 'utf8')) as SweepResults;
  const hitRates = Object.fromEntries(s.runs.map((r) => [`${r.size} ${r.policy}`, r.results.total.hitRate]));
  const row: SweepRow = { requests: s.runs[0]?.results.total.requests ?? 0, cells: s.runs.length, ms, maxRssMiB: maxRssMiB(), status: s.sweep.status, hitRates };
  console.log(JSON.stringify(row));
}

const maxRssMiB = () => peakRssBytes() / 2 ** 20;

async function childReplay(file: string): Promise<void> {
  const t0 = performance.now();
  const s = await cacheOnlySweep({ file, kind: 'trace', sizes: [50], policies: ['fifo'], trace: { clusterSize: 65536, tableSize: 4 } });
  const t = s.runs[0].results.total;
  console.log(JSON.stringify({ ms: performance.now() - t0, maxRssMiB: maxRssMiB(), requests: s.runs[0].results.traces![0].requests, hitRate: t.hitRate }));
}

/** The user's command, `qed-bench run FILE --metadata-only` (cache 50 fifo), in this process. */
async function childRun(file: string): Promise<void> {
  const out = `${file}.results.json`;
  const t0 = performance.now();
  const code = await runCli(['run', file, '--format', 'msr', '--metadata-only', '--no-qemu-check', '--quiet', '--out', out], { stdout: () => {}, stderr: (t) => void process.stderr.write(t) });
  const ms = performance.now() - t0;
  if (code !== 0) throw new Error(`qed-bench run exited ${code}`);
  const r = JSON.parse(await readFile(out, 'utf8')) as RunResults;
  console.log(JSON.stringify({ ms, maxRssMiB: maxRssMiB(), requests: r.total.requests, hitRate: r.total.hitRate }));
}

async function main(): Promise<void> {
  // A child replays in-process through runCli: give it the heap settings the bin's main() gives the CLI.
  if (values['child-replay'] || values['child-run'] || values['child-sweep']) limitHeap();
  if (values['child-replay']) return childReplay(values['child-replay']);
  if (values['child-run']) return childRun(values['child-run']);
  if (values['child-sweep']) return childSweep(values['child-sweep']);
  const lengths = values['replay-lines']!.split(',').filter(Boolean).map(Number).filter((n) => n > 0);
  const modes = values.replay!.split(',').filter(Boolean) as ReplayMode[];
  for (const m of modes) if (m !== 'engine' && m !== 'cache-only') throw new Error(`--replay: expected engine and/or cache-only, got "${m}"`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'qed-bench-trace-'));
  try {
    const load = os.loadavg();
    const log = (t: string) => values.json || console.error(t);
    log(`parse rates: ${fmtInt(LINES)} synthetic requests per format, ${REPS} reps`);
    const rates = LINES > 0 ? await parseRates(dir) : [];
    const replays: Array<ReplayRow & { generateMs: number }> = [];
    for (const n of lengths) {
      log(`replay: generating a ${fmtInt(n)}-request MSR .csv.gz`);
      const big = path.join(dir, `big-${n}.csv.gz`);
      const g0 = performance.now();
      await writeSyntheticTrace(big, 'msr', { requests: n, seed: 42, devices: ['0', '1'], span: 256 * GIB, tick: 100 });
      const generateMs = performance.now() - g0;
      for (const mode of modes) {
        log(`replay: ${fmtInt(n)} requests, ${mode}`);
        replays.push({ mode, ...replayInChild(big, mode), generateMs });
      }
      await rm(big, { force: true });
    }
    const sweepLines = Number(values['sweep-lines']);
    let sweepRow: (SweepRow & { generateMs: number; command: string }) | null = null;
    if (sweepLines > 0) {
      log(`sweep: generating a ${fmtInt(sweepLines)}-request MSR .csv.gz`);
      const file = path.join(dir, `sweep-${sweepLines}.csv.gz`);
      const g0 = performance.now();
      await writeSyntheticTrace(file, 'msr', { requests: sweepLines, seed: 42, devices: ['0', '1'], span: 256 * GIB, tick: 100 });
      const generateMs = performance.now() - g0;
      const command = `qed-bench ${sweepArgs(path.basename(file)).join(' ')}`;
      log(`sweep: ${command}`);
      const grid = ['--sweep-sizes', values['sweep-sizes']!, '--sweep-policies', values['sweep-policies']!, '--sweep-jobs', values['sweep-jobs']!];
      sweepRow = { ...inChild<SweepRow>('--child-sweep', file, 'sweep', grid), generateMs, command };
      await rm(file, { force: true });
    }
    const after = os.loadavg();
    if (values.json) {
      console.log(JSON.stringify({ lines: LINES, reps: REPS, loadavg: [load, after], rates, replays, sweep: sweepRow }, null, 2));
      return;
    }
    const f = (s: Spread) => `${fmtInt(s.median)} (${fmtInt(s.min)}–${fmtInt(s.max)})`;
    if (rates.length) {
      console.log(`\ntrace parse rate, requests/s: median (min–max) of ${REPS}; ${fmtInt(LINES)} requests per file; load average ${load[0].toFixed(1)} → ${after[0].toFixed(1)} on ${os.availableParallelism()} cores (shared machine: noisy)`);
      console.log(`${'format'.padEnd(18)} ${'ours'.padStart(34)} ${'readline loop (limit)'.padStart(34)}  ours/limit  (by CPU time)`);
      for (const r of rates) {
        console.log(`${r.name.padEnd(18)} ${f(r.ours).padStart(34)} ${(r.readline ? f(r.readline) : 'n/a (binary)').padStart(34)}  ${(r.readline ? (r.ours.median / r.readline.median).toFixed(2) : '-').padStart(10)}  ${r.cpuRatio !== null ? r.cpuRatio.toFixed(2) : '-'}`);
      }
    }
    if (replays.length) {
      console.log(`\nMSR .csv.gz (2 devices × 256 GiB, synthetic) replayed through one fifo cache of 50: engine = "qed-bench run --metadata-only" (one job, devices on one disk), cache-only = its L2 table stream alone (devices alike); peak RSS of the child process; load average ${load[0].toFixed(1)} → ${after[0].toFixed(1)}`);
      console.log(`${'requests'.padStart(12)}  ${'replay'.padEnd(10)} ${'time'.padStart(9)} ${'requests/s'.padStart(11)} ${'hit rate'.padStart(9)} ${'peak RSS'.padStart(9)}  (generating the trace)`);
      for (const r of replays) {
        console.log(`${fmtInt(r.requests).padStart(12)}  ${r.mode.padEnd(10)} ${`${(r.ms / 1000).toFixed(1)} s`.padStart(9)} ${fmtInt(r.requests / (r.ms / 1000)).padStart(11)} ${`${(r.hitRate * 100).toFixed(1)}%`.padStart(9)} ${`${r.maxRssMiB.toFixed(0)} MiB`.padStart(9)}  (${(r.generateMs / 1000).toFixed(1)} s)`);
      }
    }
    if (sweepRow) {
      const r = sweepRow;
      console.log(`\nsweep of one synthetic MSR .csv.gz (2 devices × 256 GiB, ${fmtInt(sweepLines)} requests; generated in ${(r.generateMs / 1000).toFixed(1)} s): ${r.command}`);
      console.log(`${r.cells} cells, ${r.status}: ${(r.ms / 1000).toFixed(1)} s wall (${fmtInt((r.requests * r.cells) / (r.ms / 1000))} requests/s over all cells), peak RSS ${r.maxRssMiB.toFixed(0)} MiB (the process and its worker threads); load average ${after[0].toFixed(1)}`);
      const sizes = [...new Set(Object.keys(r.hitRates).map((k) => k.split(' ')[0]))];
      const policies = [...new Set(Object.keys(r.hitRates).map((k) => k.split(' ')[1]))];
      console.log(`${'size'.padStart(6)} ${policies.map((p) => p.padStart(9)).join(' ')}   (engine hit rate)`);
      for (const z of sizes) console.log(`${z.padStart(6)} ${policies.map((p) => `${((r.hitRates[`${z} ${p}`] ?? NaN) * 100).toFixed(1)}%`.padStart(9)).join(' ')}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
