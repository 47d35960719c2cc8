/**
 * bench:peers: qed-bench side by side with QEMU and with raw I/O on the same page-cached file.
 *
 * Three cases on a 1 GiB QED image with 64 KiB clusters: 4 KiB reads and in-place writes at
 * depth 32 on the fully allocated image, and 64 KiB allocating writes at depth 16 on a fresh
 * one. Each runs through qemu-img bench (aio=threads, io_uring when this build has it, and
 * aio=threads with -t none: O_DIRECT), qed-bench (the engine alone, and the full replay runner,
 * each on the default io: auto and on the paths --io names; the engine also with cache: none),
 * Node's blocking fs calls, the project's FileBackend and fio (psync, and io_uring). Runs are
 * interleaved (the peer order rotates each repetition) and repeated; the table shows medians,
 * min–max, and each median's ratio to the qed-bench engine (io auto) and to qemu-img bench's
 * default aio. Then the L2-load oracle: the same request sequences through
 * qemu-io's trace and our engine with QEMU's cache must load as many L2 tables.
 *
 *   npm run bench:peers -- [--reps 5] [--quick] [--read-ops N] [--write-ops N] [--alloc-ops N] [--size 1G]
 *                          [--alloc-order sequential|scattered]
 *                          [--cases read,overwrite,allocate] [--io async,sync,ring] [--peers ID,...] [--no-l2] [--json]
 *
 * --peers keeps only the named peer ids (the two references, engine and qemu-img-threads,
 * always run): for iterating on one path without the slow O_DIRECT rows.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { IO_MODES, type ConcreteIoMode } from '../src/io/file-backend.js';
import { parseSize } from '../src/util/size.js';
import { createFullImage, hostOffsets } from './lib/full-image.js';
import { rotation, spread } from './lib/samples.js';
import { benchCases, CASE_IDS, type BenchCase, type CaseId } from './peers/cases.js';
import { fioPeer } from './peers/fio-peers.js';
import { buildOracleImage, compareL2Loads, oracleSequences, type L2LoadComparison } from './peers/l2-loads.js';
import { fileBackendPeer, nodeSyncPeer } from './peers/node-peers.js';
import type { Peer, PeerContext } from './peers/peer.js';
import { enginePeer, runnerPeer } from './peers/qed-peers.js';
import { withUvPoolSize } from './lib/uv-pool.js';
import { qemuImgPeer } from './peers/qemu-peers.js';
import { printCase, printL2Loads, type CaseResult, type PeerRow } from './peers/report.js';
import { probeTools, runTool, type Tools } from './peers/tools.js';
import { benchArgs } from './lib/bench-args.js';

const CLUSTER = 64 << 10;
const REFERENCE = 'engine';
/** The second ratio column: issue 6's targets are stated against QEMU's default aio. */
const QEMU_REFERENCE = 'qemu-img-threads';
const USAGE =
  'usage: npm run bench:peers -- [--reps N] [--quick] [--read-ops N] [--write-ops N] [--alloc-ops N] [--alloc-order sequential|scattered] [--size SIZE] [--cases read,overwrite,allocate] [--io async,sync,ring,adaptive] [--peers ID,...] [--no-l2] [--json] [--debug]';

interface Options {
  reps: number;
  readOps: number;
  writeOps: number;
  allocOps: number;
  allocOrder: 'sequential' | 'scattered';
  size: number;
  cases: CaseId[];
  l2: boolean;
  json: boolean;
  quick: boolean;
  /** Named file I/O paths run beside auto (the default, always run). */
  io: ConcreteIoMode[];
  /** Peer ids to keep (null: all); the references always run. */
  peers: string[] | null;
}

class UsageError extends Error {}

function parseOptions(argv: string[]): Options {
  const { values } = benchArgs('bench:peers', {
    args: argv,
    options: {
      reps: { type: 'string' },
      'read-ops': { type: 'string' },
      'write-ops': { type: 'string' },
      'alloc-ops': { type: 'string' },
      'alloc-order': { type: 'string', default: 'sequential' },
      size: { type: 'string', default: '1G' },
      cases: { type: 'string', default: CASE_IDS.join(',') },
      io: { type: 'string', default: 'async,sync,ring' },
      peers: { type: 'string' },
      'no-l2': { type: 'boolean', default: false },
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      debug: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  }, USAGE.replace(/^usage: /, ''));
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const int = (name: string, s: string | undefined, dflt: number, min: number): number => {
    if (s === undefined) return dflt;
    const n = Number(s);
    if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number >= ${min}, got "${s}"`);
    return n;
  };
  let size: number;
  try {
    size = parseSize(values.size);
  } catch (err) {
    throw new UsageError(`--size: ${(err as Error).message}`);
  }
  if (size < 64 << 20 || size % CLUSTER !== 0 || (size & (size - 1)) !== 0) {
    throw new UsageError(`--size must be a power of two of at least 64M (the scattered stride needs it), got "${values.size}"`);
  }
  const cases = values.cases.split(',').map((c) => c.trim());
  const bad = cases.find((c) => !(CASE_IDS as readonly string[]).includes(c));
  if (bad !== undefined) throw new UsageError(`--cases: unknown case "${bad}"; expected some of ${CASE_IDS.join(', ')}`);
  const allocOrder = values['alloc-order'];
  if (allocOrder !== 'sequential' && allocOrder !== 'scattered') {
    throw new UsageError(`--alloc-order must be sequential or scattered, got "${allocOrder}"`);
  }
  const io = values.io === '' ? [] : values.io.split(',').map((m) => m.trim());
  const badIo = io.find((m) => m === 'auto' || !(IO_MODES as readonly string[]).includes(m));
  if (badIo !== undefined) throw new UsageError(`--io: unknown path "${badIo}"; expected some of ${IO_MODES.filter((m) => m !== 'auto').join(', ')} (auto always runs)`);
  const quick = values.quick;
  const allocOps = int('alloc-ops', values['alloc-ops'], quick ? 1024 : 2048, 1);
  if (allocOps * CLUSTER > size) throw new UsageError(`--alloc-ops ${allocOps} × 64 KiB does not fit in the ${size}-byte disk`);
  return {
    reps: int('reps', values.reps, quick ? 2 : 5, 1),
    readOps: int('read-ops', values['read-ops'], quick ? 20_000 : 60_000, 1),
    writeOps: int('write-ops', values['write-ops'], quick ? 8_000 : 30_000, 1),
    allocOps,
    allocOrder,
    size,
    cases: cases as CaseId[],
    l2: !values['no-l2'],
    json: values.json,
    quick,
    io: io as ConcreteIoMode[],
    peers: values.peers === undefined ? null : values.peers.split(',').map((p) => p.trim()),
  };
}

function peersFor(tools: Tools, io: ConcreteIoMode[]): Peer[] {
  const why = (t: true | string): string | null => (t === true ? null : t);
  return [
    qemuImgPeer('threads', why(tools.qemuImg)),
    qemuImgPeer('io_uring', why(tools.qemuImgIoUring)),
    qemuImgPeer('threads', why(tools.qemuImg), 'none'),
    enginePeer('serial'),
    enginePeer('parallel'),
    ...io.flatMap((m) => [enginePeer('serial', m), enginePeer('parallel', m)]),
    enginePeer('serial', 'auto', 'none'),
    enginePeer('parallel', 'auto', 'none'),
    enginePeer('serial', 'ring', 'none'),
    enginePeer('parallel', 'ring', 'none'),
    runnerPeer('serial'),
    runnerPeer('parallel'),
    ...io.flatMap((m) => [runnerPeer('serial', m), runnerPeer('parallel', m)]),
    nodeSyncPeer,
    fileBackendPeer,
    fioPeer('psync', why(tools.fio)),
    fioPeer('io_uring', why(tools.fioIoUring)),
  ];
}

/** A status line on stderr, only on a terminal and never in CI or with --json. */
function statusLine(opts: Options): (msg: string) => void {
  const live = process.stderr.isTTY && !process.env.CI && !opts.json;
  return live ? (msg) => process.stderr.write(`\r\x1b[2K${msg}`) : () => {};
}

async function bench(opts: Options, dir: string): Promise<{ cases: CaseResult[]; l2: L2LoadComparison[] | string; tools: Tools; setupSeconds: number }> {
  const status = statusLine(opts);
  const tools = await probeTools(dir);
  const image = path.join(dir, 'full.qed');
  const cases = benchCases(opts.size, { readOps: opts.readOps, writeOps: opts.writeOps, allocOps: opts.allocOps, allocOrder: opts.allocOrder }).filter((c) => opts.cases.includes(c.id));
  const t0 = Date.now();
  if (cases.some((c) => !c.fresh)) {
    status(`writing the ${opts.size / 2 ** 20} MiB fully allocated image...`);
    await createFullImage(image, opts.size, { clusterSize: CLUSTER });
  }
  const setupSeconds = (Date.now() - t0) / 1000;
  const ctx: PeerContext = { dir, image, size: opts.size, clusterSize: CLUSTER, host: new Map() };
  for (const c of cases) if (!c.fresh) ctx.host.set(c.id, await hostOffsets(image, c.offsets));

  const all = peersFor(tools, opts.io);
  const unknown = opts.peers?.find((id) => !all.some((p) => p.id === id));
  if (unknown !== undefined) throw new UsageError(`--peers: unknown peer "${unknown}"; expected some of ${all.map((p) => p.id).join(', ')}`);
  const peers = opts.peers ? all.filter((p) => p.id === REFERENCE || p.id === QEMU_REFERENCE || opts.peers!.includes(p.id)) : all;
  const runnable = (c: BenchCase): Peer[] => peers.filter((p) => p.skip === null && (p.applies?.(c) ?? true));
  const samples = new Map<string, number[]>();
  const wallMs = new Map<CaseId, number>();

  // JIT, libuv's pool and the page cache of fresh files, not recorded.
  for (const c of cases) {
    const warm: BenchCase = { ...c, ops: Math.min(c.ops, 2000), offsets: c.offsets.subarray(0, Math.min(c.ops, 2000)) };
    for (const p of runnable(c).filter((x) => x.inProcess)) {
      status(`warm-up: ${c.id}: ${p.label}`);
      await p.run(warm, ctx);
    }
  }
  for (let rep = 0; rep < opts.reps; rep++) {
    for (const c of cases) {
      for (const p of rotation(runnable(c), rep)) {
        status(`rep ${rep + 1}/${opts.reps}: ${c.id}: ${p.label}`);
        const key = `${c.id}/${p.id}`;
        const t0 = Date.now();
        samples.set(key, [...(samples.get(key) ?? []), await p.run(c, ctx)]);
        wallMs.set(c.id, (wallMs.get(c.id) ?? 0) + Date.now() - t0);
      }
    }
  }

  const results = cases.map((c): CaseResult => {
    const medianOf = (id: string): number | null => {
      const xs = samples.get(`${c.id}/${id}`);
      return xs ? spread(xs).median : null;
    };
    const refMedian = medianOf(REFERENCE);
    const qemuMedian = medianOf(QEMU_REFERENCE);
    const rows = runnable(c).map((p): PeerRow => {
      const xs = samples.get(`${c.id}/${p.id}`)!;
      const s = spread(xs);
      return { peer: p.id, label: p.label, group: p.group, depth: p.depth(c), samples: xs, ...s, ratio: refMedian ? s.median / refMedian : null, ratioQemu: qemuMedian ? s.median / qemuMedian : null };
    });
    const skipped = peers.filter((p) => p.skip !== null).map((p) => ({ peer: p.label, reason: p.skip! }));
    return { id: c.id, title: c.title, ops: c.ops, bs: c.bs, depth: c.depth, seconds: (wallMs.get(c.id) ?? 0) / 1000, rows, skipped };
  });

  let l2: L2LoadComparison[] | string = 'not run (--no-l2)';
  if (opts.l2) {
    if (tools.qemuIoTrace !== true) l2 = tools.qemuIoTrace;
    else {
      status('L2-load oracle: qemu-io traces vs qed-bench...');
      const oracle = path.join(dir, 'oracle.qed');
      await buildOracleImage(oracle);
      l2 = [];
      for (const seq of oracleSequences()) l2.push(await compareL2Loads(dir, oracle, seq));
    }
  }
  status('');
  return { cases: results, l2, tools, setupSeconds };
}

async function environment(): Promise<Record<string, string | number>> {
  const version = async (tool: string, args: string[]): Promise<string> => {
    try {
      const r = await runTool(tool, args, 10_000);
      return (r.stdout.split('\n')[0] ?? '').trim() || 'unknown';
    } catch {
      return 'not installed';
    }
  };
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: os.availableParallelism(),
    loadavg1Start: Number(os.loadavg()[0].toFixed(2)),
    UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '4 (default)', // set to DIRECT_UV_THREADS when the environment did not (lib/uv-pool.ts)
    'qemu-img': await version('qemu-img', ['--version']),
    fio: await version('fio', ['--version']),
  };
}

function usageExit(err: unknown): never {
  if (!(err instanceof UsageError)) throw err; // parseArgs' own errors exit in benchArgs
  console.error(`bench:peers: ${(err as Error).message}\n${USAGE}`);
  process.exit(2);
}

async function main(): Promise<void> {
  await withUvPoolSize();
  let opts: Options;
  try {
    opts = parseOptions(process.argv.slice(2));
  } catch (err) {
    usageExit(err);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qed-bench-peers-'));
  const cleanup = (): void => fs.rmSync(dir, { recursive: true, force: true });
  // on, not once: Ctrl-C reaches this process twice when it runs under the re-exec (from the
  // terminal's process group and forwarded by the parent), and with no listener left the second
  // would kill it mid-cleanup.
  let stopping = false;
  const onSignal = (): void => {
    if (stopping) return;
    stopping = true;
    cleanup();
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const started = Date.now();
    const env = await environment();
    const { cases, l2, tools, setupSeconds } = await bench(opts, dir);
    const seconds = (Date.now() - started) / 1000;
    env.loadavg1End = Number(os.loadavg()[0].toFixed(2)); // others' load on the cores, before and after
    if (opts.json) {
      console.log(JSON.stringify({ benchmark: 'peers', options: opts, env, tools, seconds, setupSeconds, reference: REFERENCE, qemuReference: QEMU_REFERENCE, cases, l2Loads: l2 }, null, 2));
      return;
    }
    const out = (line: string): void => console.log(line);
    out(`bench:peers: ${opts.size / 2 ** 20} MiB QED image, 64 KiB clusters, page-cached (the allocating case on a fresh one); median of ${opts.reps} interleaved runs; ${seconds.toFixed(0)} s in all (image written in ${setupSeconds.toFixed(0)} s)`);
    out(Object.entries(env).map(([k, v]) => `${k}=${v}`).join(', '));
    out('');
    for (const c of cases) printCase(c, 'qed-bench engine', 'QEMU aio=threads', out);
    if (typeof l2 === 'string') out(`L2-load oracle skipped: ${l2}`);
    else printL2Loads(l2, out);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    cleanup();
  }
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) usageExit(err);
  console.error(`bench-peers: ${err instanceof Error ? (process.argv.includes('--debug') ? err.stack : err.message) : String(err)}`);
  process.exit(1);
});
