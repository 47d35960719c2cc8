/**
 * bench:trace: trace parse rate per format (requests/s through our reader, next to a plain
 * `readline` loop over the same file as the limit), and a long MSR-format gzip trace replayed
 * through one cache (its L2 table stream, cache only: the engine's metadata-only store is not
 * here yet) in bounded memory, with peak RSS. All traces are SYNTHETIC, generated to a temp dir.
 *
 *   npm run bench:trace -- [--lines 1000000] [--reps 3] [--replay-lines 100000000] [--json]
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { parseArgs } from 'node:util';
import { cacheOnlySweep } from '../src/experiments/cache-only.js';
import { findOnPath } from '../src/util/find-on-path.js';
import { TraceReader } from '../src/workload/traces/reader.js';
import { fmtInt, rotation, spread, type Spread } from './lib/samples.js';
import { writeSyntheticTrace } from './lib/synthetic-trace.js';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    reps: { type: 'string', default: '3' },
    'replay-lines': { type: 'string', default: '100000000' },
    json: { type: 'boolean', default: false },
    'child-replay': { type: 'string' },
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
  for await (const b of r.batches()) n += b.length;
  return n;
}

async function rate(fn: () => Promise<number>): Promise<number> {
  const t0 = performance.now();
  const n = await fn();
  return n / ((performance.now() - t0) / 1000);
}

async function parseRates(dir: string): Promise<Array<{ name: string; ours: Spread; readline: Spread | null }>> {
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
    const o: number[] = [];
    const b: number[] = [];
    for (let rep = 0; rep < REPS; rep++) {
      for (const which of rotation(['ours', 'readline'] as const, rep)) {
        if (which === 'ours') o.push(await rate(() => ours(c.file, c.format)));
        else if (c.baseline) b.push(await rate(() => c.baseline!(c.file)));
      }
    }
    rows.push({ name: c.name, ours: spread(o), readline: c.baseline ? spread(b) : null });
    if (!values.json) console.error(`  ${c.name} done`);
  }
  return rows;
}

/** In a child process, so its peak RSS is the replay's alone. */
function replayInChild(file: string): { ms: number; maxRssMiB: number; lookups: number; requests: number; hitRate: number } {
  const r = spawnSync(process.execPath, [new URL(import.meta.url).pathname, '--child-replay', file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

async function childReplay(file: string): Promise<void> {
  const t0 = performance.now();
  const s = await cacheOnlySweep({ file, kind: 'trace', sizes: [50], policies: ['fifo'], trace: { clusterSize: 65536, tableSize: 4 } });
  const t = s.runs[0].results.total;
  console.log(JSON.stringify({ ms: performance.now() - t0, maxRssMiB: process.resourceUsage().maxRSS / 1024, lookups: t.cache.lookups, requests: s.runs[0].results.traces![0].requests, hitRate: t.hitRate }));
}

async function main(): Promise<void> {
  if (values['child-replay']) return childReplay(values['child-replay']);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'qed-bench-trace-'));
  try {
    const load = os.loadavg();
    if (!values.json) console.error(`parse rates: ${fmtInt(LINES)} synthetic requests per format, ${REPS} reps`);
    const rates = await parseRates(dir);
    const n = Number(values['replay-lines']);
    if (!values.json) console.error(`replay: generating a ${fmtInt(n)}-request MSR .csv.gz`);
    const big = path.join(dir, 'big.csv.gz');
    const g0 = performance.now();
    await writeSyntheticTrace(big, 'msr', { requests: n, seed: 42, devices: ['0', '1'], span: 256 * GIB, tick: 100 });
    const genMs = performance.now() - g0;
    const replay = replayInChild(big);
    const after = os.loadavg();
    if (values.json) {
      console.log(JSON.stringify({ lines: LINES, reps: REPS, loadavg: [load, after], rates, replay: { ...replay, generateMs: genMs } }, null, 2));
      return;
    }
    const f = (s: Spread) => `${fmtInt(s.median)} (${fmtInt(s.min)}–${fmtInt(s.max)})`;
    console.log(`\ntrace parse rate, requests/s: median (min–max) of ${REPS}; ${fmtInt(LINES)} requests per file; load average ${load[0].toFixed(1)} → ${after[0].toFixed(1)} on ${os.availableParallelism()} cores (shared machine: noisy)`);
    console.log(`${'format'.padEnd(18)} ${'ours'.padStart(34)} ${'readline loop (limit)'.padStart(34)}  ours/limit`);
    for (const r of rates) {
      console.log(`${r.name.padEnd(18)} ${f(r.ours).padStart(34)} ${(r.readline ? f(r.readline) : 'n/a (binary)').padStart(34)}  ${r.readline ? (r.ours.median / r.readline.median).toFixed(2) : '-'}`);
    }
    console.log(`\nreplay of a ${fmtInt(replay.requests)}-request MSR .csv.gz through one fifo cache of 50 (cache only, its L2 table stream): ${(replay.ms / 1000).toFixed(1)} s, ${fmtInt(replay.requests / (replay.ms / 1000))} requests/s, ${fmtInt(replay.lookups)} table lookups, hit rate ${(replay.hitRate * 100).toFixed(1)}%, peak RSS ${replay.maxRssMiB.toFixed(0)} MiB`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
