/**
 * bench:backend: 4 KiB random reads per second from a page-cached file, for the ways Node 20 can
 * read a file without native addons. fs.readSync on a raw descriptor is the limit (no thread hop,
 * blocks the event loop); the others are asynchronous and are measured serially (1 in flight,
 * await each) and at depth 32 (32 lanes, each awaiting its own read, so 32 stay outstanding).
 *
 * Every run reads the same seeded offsets; variants and depths are interleaved inside each
 * repetition (the starting variant rotates), and the table shows the median of the repetitions.
 * Each block of the file carries its own index in its first and last word, and every read is
 * checked, so a variant that returns wrong or short data fails instead of looking fast.
 *
 *   npm run bench:backend -- [--ops 200000] [--reps 3] [--size-mib 256] [--json]
 */
import fs from 'node:fs';
import { open as openHandle, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { BackendError } from '../src/io/backend.js';
import { FileBackend } from '../src/io/file-backend.js';
import { table } from '../src/report/text-table.js';
import { randomOffsets } from './lib/offsets.js';
import { elapsedNs, fmtInt, median, rotation } from './lib/samples.js';

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
// Variants.

/** (b) The loop FileBackend.read used before this benchmark: FileHandle.read, short-read loop. */
function fileHandleRead(fh: FileHandle, name: string): ReadFn {
  return async (buf, offset) => {
    let done = 0;
    while (done < buf.length) {
      let n: number;
      try {
        ({ bytesRead: n } = await fh.read(buf, done, buf.length - done, offset + done));
      } catch (err) {
        const e = err as NodeJS.ErrnoException;
        throw new BackendError(e.code ?? 'EIO', `${name}: cannot read: ${e.message}`);
      }
      if (n === 0) {
        buf.fill(0, done);
        return;
      }
      done += n;
    }
  };
}

/** (c) Callback fs.read on a raw descriptor, one Promise per call. */
function callbackRead(fd: number): ReadFn {
  return (buf, offset) =>
    new Promise<void>((resolve, reject) => {
      fs.read(fd, buf, 0, buf.length, offset, (err, n) => {
        if (err) reject(err);
        else if (n !== buf.length) reject(new Error(`short read: ${n} of ${buf.length}`));
        else resolve();
      });
    });
}

/**
 * (d) A pool of worker threads calling fs.readSync into SharedArrayBuffer slots. The main
 * thread hands slots out through a ring in shared memory, wakes a worker with Atomics.notify,
 * and learns of completions with Atomics.waitAsync on a counter (one wake-up can deliver many
 * completions), then copies the block into the caller's buffer. Reads of at most one block.
 */
class WorkerPoolReader implements Reader {
  static readonly SLOTS = 64; // a power of two, at least the deepest queue
  private static readonly PROD = 0;
  // ctrl[1] (CONS, the ring's consumer index) is advanced by the workers only
  private static readonly DONE = 2;
  private static readonly STOP = 3;
  private static readonly RING = 4;
  private static readonly STATE = 4 + WorkerPoolReader.SLOTS;
  private static readonly RESULT = 4 + 2 * WorkerPoolReader.SLOTS;

  private readonly ctrl: Int32Array;
  private readonly offsets: Float64Array;
  private readonly lengths: Int32Array;
  private readonly data: Uint8Array;
  private readonly workers: Worker[];
  private readonly free: number[] = [];
  private readonly pending: ({ buf: Uint8Array; resolve: () => void; reject: (e: Error) => void } | undefined)[];
  private inflight = 0;
  private waiting = false;
  private seen = 0;

  constructor(
    private readonly fd: number,
    threads: number,
  ) {
    const S = WorkerPoolReader.SLOTS;
    const ctrlSab = new SharedArrayBuffer(4 * (4 + 3 * S));
    const offSab = new SharedArrayBuffer(8 * S);
    const lenSab = new SharedArrayBuffer(4 * S);
    const dataSab = new SharedArrayBuffer(S * BLOCK);
    this.ctrl = new Int32Array(ctrlSab);
    this.offsets = new Float64Array(offSab);
    this.lengths = new Int32Array(lenSab);
    this.data = new Uint8Array(dataSab);
    this.pending = new Array(S).fill(undefined);
    for (let i = S - 1; i >= 0; i--) this.free.push(i);
    const workerData = { ctrlSab, offSab, lenSab, dataSab, fd, S, BLOCK };
    this.workers = Array.from({ length: threads }, () => new Worker(WORKER_SOURCE, { eval: true, workerData }));
  }

  read: ReadFn = (buf, offset) =>
    new Promise<void>((resolve, reject) => {
      const slot = this.free.pop();
      if (slot === undefined || buf.length > BLOCK) {
        if (slot !== undefined) this.free.push(slot);
        reject(new Error('worker pool: no free slot or read larger than a block'));
        return;
      }
      const W = WorkerPoolReader;
      const c = this.ctrl;
      this.offsets[slot] = offset;
      this.lengths[slot] = buf.length;
      Atomics.store(c, W.STATE + slot, 1);
      this.pending[slot] = { buf, resolve, reject };
      this.inflight++;
      const p = Atomics.load(c, W.PROD);
      Atomics.store(c, W.RING + (p & (W.SLOTS - 1)), slot);
      Atomics.store(c, W.PROD, (p + 1) | 0);
      Atomics.notify(c, W.PROD, 1);
      this.arm();
    });

  private arm(): void {
    if (this.waiting || this.inflight === 0) return;
    this.waiting = true;
    const r = waitAsync(this.ctrl, WorkerPoolReader.DONE, this.seen);
    if (r.async) void r.value.then(this.drain);
    else queueMicrotask(this.drain);
  }

  private drain = (): void => {
    const W = WorkerPoolReader;
    const c = this.ctrl;
    this.waiting = false;
    this.seen = Atomics.load(c, W.DONE); // completions after this load re-wake us at once
    for (let slot = 0; slot < W.SLOTS; slot++) {
      if (Atomics.load(c, W.STATE + slot) !== 2) continue;
      Atomics.store(c, W.STATE + slot, 0);
      const p = this.pending[slot]!;
      this.pending[slot] = undefined;
      this.inflight--;
      const n = Atomics.load(c, W.RESULT + slot);
      if (n < 0) p.reject(new Error(`worker pool: read failed (errno ${-n})`));
      else {
        p.buf.set(this.data.subarray(slot * BLOCK, slot * BLOCK + n));
        p.buf.fill(0, n);
      }
      this.free.push(slot);
      if (n >= 0) p.resolve();
    }
    this.arm();
  };

  async close(): Promise<void> {
    const W = WorkerPoolReader;
    Atomics.store(this.ctrl, W.STOP, 1);
    Atomics.add(this.ctrl, W.PROD, 1);
    Atomics.notify(this.ctrl, W.PROD);
    await Promise.all(this.workers.map((w) => new Promise((r) => w.once('exit', r))));
    fs.closeSync(this.fd);
  }
}

type WaitAsyncResult = { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): WaitAsyncResult })
  .waitAsync;

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { ctrlSab, offSab, lenSab, dataSab, fd, S, BLOCK } = workerData;
const ctrl = new Int32Array(ctrlSab), offsets = new Float64Array(offSab), lengths = new Int32Array(lenSab);
const data = new Uint8Array(dataSab);
const PROD = 0, CONS = 1, DONE = 2, STOP = 3, RING = 4, STATE = 4 + S, RESULT = 4 + 2 * S;
for (;;) {
  if (Atomics.load(ctrl, STOP)) break;
  const c = Atomics.load(ctrl, CONS), p = Atomics.load(ctrl, PROD);
  if (c === p) { Atomics.wait(ctrl, PROD, p); continue; }
  if (Atomics.compareExchange(ctrl, CONS, c, (c + 1) | 0) !== c) continue;
  const slot = Atomics.load(ctrl, RING + (c & (S - 1)));
  let n = 0;
  try {
    const len = lengths[slot];
    for (;;) {
      const r = fs.readSync(fd, data, slot * BLOCK + n, len - n, offsets[slot] + n);
      if (r === 0) break;
      n += r;
      if (n === len) break;
    }
  } catch (e) { n = -(Math.abs(e.errno | 0) || 5); }
  Atomics.store(ctrl, RESULT + slot, n);
  Atomics.store(ctrl, STATE + slot, 2);
  Atomics.add(ctrl, DONE, 1);
  Atomics.notify(ctrl, DONE);
}
`;

const POOL_THREADS = 4; // the size of libuv's default thread pool, for a like-for-like comparison

const VARIANTS: Variant[] = [
  {
    id: 'filehandle',
    label: 'FileHandle.read (old FileBackend)',
    async open(file) {
      const fh = await openHandle(file, 'r');
      return { read: fileHandleRead(fh, file), close: () => fh.close() };
    },
  },
  {
    id: 'callback',
    label: 'fs.read callback + Promise',
    async open(file) {
      const fd = fs.openSync(file, 'r');
      return { read: callbackRead(fd), close: async () => fs.closeSync(fd) };
    },
  },
  {
    id: 'workers',
    label: `worker pool x${POOL_THREADS} (SAB+Atomics)`,
    async open(file) {
      return new WorkerPoolReader(fs.openSync(file, 'r'), POOL_THREADS);
    },
  },
  {
    id: 'filebackend',
    label: 'FileBackend.read (current)',
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
  const { values } = parseArgs({
    args: argv,
    options: {
      ops: { type: 'string', default: '200000' },
      reps: { type: 'string', default: '3' },
      'size-mib': { type: 'string', default: '256' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log('usage: npm run bench:backend -- [--ops N] [--reps N] [--size-mib N] [--json]');
    process.exit(0);
  }
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
