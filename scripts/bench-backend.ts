/**
 * bench:backend: 4 KiB random reads per second from a page-cached file through the file backend
 * (FileBackend, its I/O path as io-choice.ts picks it), against fs.readSync on a raw descriptor,
 * the limit (no thread hop, blocks the event loop). The backend is measured serially (1 in
 * flight, await each) and at depth 32 (32 lanes, each awaiting its own read, so 32 stay
 * outstanding). The other ways Node can read a file were compared here once: docs/benchmarks.md.
 *
 * Every run reads the same seeded offsets; variants and depths are interleaved inside each
 * repetition (the starting variant rotates), and the table shows the median of the repetitions.
 * Each block of the file carries its own index in its first and last word, and every read is
 * checked, so a variant that returns wrong or short data fails instead of looking fast.
 *
 *   npm run bench:backend -- [--ops 200000] [--reps 3] [--size-mib 256] [--json]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileBackend } from '../src/io/file-backend.js';
import { table } from '../src/report/text-table.js';
import { randomOffsets } from './lib/offsets.js';
import { elapsedNs, fmtInt, median, rotation } from './lib/samples.js';
import { benchArgs } from './lib/bench-args.js';

const BLOCK = 4096;
const DEPTHS = [1, 32] as const;
const SYNC_ID = 'readSync';

type ReadFn = (buf: Uint8Array, offset: number) => Promise<void>;

interface Reader {
  read: ReadFn;
  close(): Promise<void>;
}

interface Variant {
  id: string;
  label: string;
  open(file: string): Promise<Reader>;
}

interface Options {
  ops: number;
  reps: number;
  sizeMiB: number;
  json: boolean;
}

// ---------------------------------------------------------------------------------------------
// The test file: each 4 KiB block holds its index in the first word and index ^ TAG in the last.

const TAG = 0xa5a5a5a5;

function createFile(file: string, sizeBytes: number): void {
  const chunk = new Uint8Array(4 << 20);
  const words = new Uint32Array(chunk.buffer);
  for (let i = 0; i < words.length; i++) words[i] = Math.imul(i, 2654435761) >>> 0; // filler
  const perBlock = BLOCK / 4;
  const fd = fs.openSync(file, 'w');
  try {
    for (let pos = 0; pos < sizeBytes; pos += chunk.length) {
      const n = Math.min(chunk.length, sizeBytes - pos);
      for (let b = 0; b * BLOCK < n; b++) {
        const index = pos / BLOCK + b;
        words[b * perBlock] = index;
        words[b * perBlock + perBlock - 1] = (index ^ TAG) >>> 0;
      }
      let done = 0;
      while (done < n) done += fs.writeSync(fd, chunk, done, n - done, pos + done);
    }
  } finally {
    fs.closeSync(fd);
  }
}

function word(buf: Uint8Array, at: number): number {
  return (buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16) | (buf[at + 3] << 24)) >>> 0;
}

function blockOk(buf: Uint8Array, offset: number): boolean {
  const index = offset / BLOCK;
  return word(buf, 0) === index && word(buf, BLOCK - 4) === (index ^ TAG) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Variants. The others once measured here (FileHandle.read, fs.read with a callback, a worker
// pool on shared memory) are a finished experiment: docs/benchmarks.md has the result.

const VARIANTS: Variant[] = [
  {
    id: 'filebackend',
    label: 'FileBackend.read',
    async open(file) {
      const b = await FileBackend.open(file, { readOnly: true });
      return { read: (buf, off) => b.read(buf, off), close: () => b.close() };
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Runs.

function runSync(fd: number, offsets: Float64Array): number {
  const buf = new Uint8Array(BLOCK);
  let bad = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < offsets.length; i++) {
    const off = offsets[i];
    if (fs.readSync(fd, buf, 0, BLOCK, off) !== BLOCK || !blockOk(buf, off)) bad++;
  }
  const ns = elapsedNs(t0);
  if (bad) throw new Error(`fs.readSync: ${bad} reads returned wrong data`);
  return ns;
}

/** `depth` lanes share one cursor; each awaits its own read, so `depth` stay in flight. */
async function runAsync(label: string, read: ReadFn, offsets: Float64Array, depth: number): Promise<number> {
  let next = 0;
  let bad = 0;
  const lane = async (buf: Uint8Array): Promise<void> => {
    while (next < offsets.length) {
      const off = offsets[next++];
      await read(buf, off);
      if (!blockOk(buf, off)) bad++;
    }
  };
  const bufs = Array.from({ length: depth }, () => new Uint8Array(BLOCK));
  const t0 = process.hrtime.bigint();
  await Promise.all(bufs.map(lane));
  const ns = elapsedNs(t0);
  if (bad) throw new Error(`${label}: ${bad} reads returned wrong data`);
  return ns;
}

interface Row {
  variant: string;
  label: string;
  depth: number | 'sync';
  opsPerSec: number[];
  median: number;
  ratio: number;
}

async function bench(opts: Options): Promise<{ rows: Row[]; file: string; createMs: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qed-bench-backend-'));
  const file = path.join(dir, 'data.bin');
  const cleanup = (): void => fs.rmSync(dir, { recursive: true, force: true });
  const onSignal = (): void => {
    cleanup();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  try {
    const sizeBytes = opts.sizeMiB * 1024 * 1024;
    const t0 = process.hrtime.bigint();
    createFile(file, sizeBytes); // just written, so it sits in the page cache
    const createMs = elapsedNs(t0) / 1e6;
    const offsets = randomOffsets(opts.ops, sizeBytes / BLOCK, BLOCK);
    const warm = offsets.subarray(0, Math.min(opts.ops, 20_000));
    log(`created ${opts.sizeMiB} MiB in ${createMs.toFixed(0)} ms: ${file}`);

    const syncFd = fs.openSync(file, 'r');
    const readers = new Map<string, Reader>();
    for (const v of VARIANTS) readers.set(v.id, await v.open(file));
    const samples = new Map<string, number[]>();
    const record = (key: string, ns: number): void => {
      const list = samples.get(key) ?? [];
      list.push(opts.ops / (ns / 1e9));
      samples.set(key, list);
    };
    try {
      // Warm-up: JIT, thread pool and worker start-up, not recorded.
      runSync(syncFd, warm);
      for (const v of VARIANTS) for (const d of DEPTHS) await runAsync(v.label, readers.get(v.id)!.read, warm, d);

      for (let rep = 0; rep < opts.reps; rep++) {
        const order = rotation(VARIANTS, rep);
        record(SYNC_ID, runSync(syncFd, offsets));
        log(`rep ${rep + 1}/${opts.reps}: fs.readSync done`);
        for (const d of DEPTHS) {
          for (const v of order) {
            record(`${v.id}@${d}`, await runAsync(v.label, readers.get(v.id)!.read, offsets, d));
            log(`rep ${rep + 1}/${opts.reps}: ${v.label} depth ${d} done`);
          }
        }
      }
    } finally {
      fs.closeSync(syncFd);
      for (const r of readers.values()) await r.close();
    }

    const limit = median(samples.get(SYNC_ID)!);
    const rows: Row[] = [
      { variant: SYNC_ID, label: 'fs.readSync (limit)', depth: 'sync', opsPerSec: samples.get(SYNC_ID)!, median: limit, ratio: 1 },
    ];
    for (const d of DEPTHS) {
      for (const v of VARIANTS) {
        const xs = samples.get(`${v.id}@${d}`)!;
        const m = median(xs);
        rows.push({ variant: v.id, label: v.label, depth: d, opsPerSec: xs, median: m, ratio: m / limit });
      }
    }
    return { rows, file, createMs };
  } finally {
    process.off('SIGINT', onSignal);
    cleanup();
  }
}

// ---------------------------------------------------------------------------------------------
// Output.

function log(msg: string): void {
  process.stderr.write(`bench-backend: ${msg}\n`);
}

function printTable(rows: Row[], opts: Options, env: Record<string, string | number>): void {
  const header = ['variant', 'depth', 'median ops/s', 'min..max ops/s', 'vs readSync'];
  const body = rows.map((r) => [
    r.label,
    String(r.depth),
    fmtInt(r.median),
    `${fmtInt(Math.min(...r.opsPerSec))}..${fmtInt(Math.max(...r.opsPerSec))}`,
    `${r.ratio.toFixed(3)}x`,
  ]);
  console.log(
    `4 KiB random reads, ${opts.sizeMiB} MiB page-cached file, ${fmtInt(opts.ops)} ops per run, ` +
      `median of ${opts.reps} interleaved runs`,
  );
  console.log(Object.entries(env).map(([k, v]) => `${k}=${v}`).join(', '));
  console.log('');
  for (const line of table(header, body)) console.log(line);
}

function parseOptions(argv: string[]): Options {
  const { values } = benchArgs('bench:backend', {
    args: argv,
    options: {
      ops: { type: 'string', default: '200000' },
      reps: { type: 'string', default: '3' },
      'size-mib': { type: 'string', default: '256' },
      json: { type: 'boolean', default: false },
    },
  });
  const int = (name: string, s: string, min: number): number => {
    const n = Number(s);
    if (!Number.isSafeInteger(n) || n < min) {
      console.error(`bench-backend: --${name} must be an integer >= ${min}, got "${s}"`);
      process.exit(2);
    }
    return n;
  };
  return {
    ops: int('ops', values.ops, 1),
    reps: int('reps', values.reps, 1),
    sizeMiB: int('size-mib', values['size-mib'], 1),
    json: values.json,
  };
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const { rows, createMs } = await bench(opts);
  const env = {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: os.availableParallelism(),
    UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? '4 (default)',
  };
  if (opts.json) {
    console.log(JSON.stringify({ benchmark: 'backend-random-read-4k', options: opts, env, createMs, rows }, null, 2));
  } else {
    printTable(rows, opts, env);
  }
}

main().catch((err: unknown) => {
  console.error(`bench-backend: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
  process.exit(1);
});
