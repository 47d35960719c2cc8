/**
 * bench:replay: what each layer costs for 4 KiB random reads at depth 32 on a fully allocated,
 * page-cached 1 GiB image (every lookup a cache hit): raw fs.readSync, the file backend, the
 * engine (QedImage.read), and the replay runner with and without read verification.
 * Variants are interleaved and repeated; the table shows medians and ratios to the backend.
 *
 *   npm run bench:replay -- [--ops 100000] [--reps 3] [--json]
 */
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FileBackend } from '../src/io/file-backend.js';
import { createImageFile, openImageFile } from '../src/qed/open-file.js';
import { runWorkload } from '../src/replay/runner.js';
import { parseWorkload } from '../src/workload/load.js';

const SIZE = 1 << 30;
const BLOCK = 4096;
const DEPTH = 32;

const { values } = parseArgs({ options: { ops: { type: 'string', default: '100000' }, reps: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } } });
const OPS = Number(values.ops);
const REPS = Number(values.reps);

/** Seeded offsets shared by every variant. */
function offsets(n: number, blocks: number): Float64Array {
  const out = new Float64Array(n);
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = ((x >>> 0) % blocks) * BLOCK;
  }
  return out;
}

/** ops/s of `read` over the offsets with DEPTH lanes each awaiting its own read. */
async function atDepth(offs: Float64Array, read: (buf: Uint8Array, off: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: DEPTH }, async () => {
      const buf = new Uint8Array(BLOCK);
      while (next < offs.length) await read(buf, offs[next++]);
    }),
  );
  return offs.length / (Number(process.hrtime.bigint() - t0) / 1e9);
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'qed-bench-replay-'));
  try {
    const image = path.join(dir, 'full.qed');
    await createImageFile(image, { size: SIZE });
    const fill = await openImageFile(image);
    const chunk = new Uint8Array(1 << 20).fill(0x5a);
    for (let off = 0; off < SIZE; off += chunk.length) await fill.write(chunk, off);
    await fill.close();
    const fileBlocks = Math.floor(fs.statSync(image).size / BLOCK);
    const fileOffs = offsets(OPS, fileBlocks);
    const diskOffs = offsets(OPS, SIZE / BLOCK);

    const workload = (verify: boolean) => ({
      verify,
      w: parseWorkload(
        `name: bench-read\nimage: { path: ${JSON.stringify(image)} }\ncache: { size: 50 }\nphases:\n  - jobs:\n      - { pattern: random, op: read, bs: 4k, iodepth: ${DEPTH}, stop: { ops: ${OPS} } }\n`,
        path.join(dir, 'bench.yaml'),
      )[0],
    });

    const variants: Array<{ id: string; run: () => Promise<number> }> = [
      {
        id: 'fs.readSync (limit, depth 1)',
        run: async () => {
          const fd = fs.openSync(image, 'r');
          const buf = new Uint8Array(BLOCK);
          const t0 = process.hrtime.bigint();
          for (const off of fileOffs) fs.readSync(fd, buf, 0, BLOCK, off);
          fs.closeSync(fd);
          return OPS / (Number(process.hrtime.bigint() - t0) / 1e9);
        },
      },
      {
        id: 'FileBackend.read',
        run: async () => {
          const b = await FileBackend.open(image, { readOnly: true });
          const r = await atDepth(fileOffs, (buf, off) => b.read(buf, off));
          await b.close();
          return r;
        },
      },
      {
        id: 'QedImage.read (engine)',
        run: async () => {
          const img = await openImageFile(image, { readOnly: true });
          const r = await atDepth(diskOffs, (buf, off) => img.read(buf, off));
          await img.close();
          return r;
        },
      },
      ...[false, true].map((verify) => ({
        id: `runner replay${verify ? ' + verify' : ''}`,
        run: async () => {
          const { w } = workload(verify);
          const out = await runWorkload(w, { verify, qemuCheck: false });
          return out.total.ops.read.iops;
        },
      })),
    ];

    const samples = new Map<string, number[]>(variants.map((v) => [v.id, []]));
    for (let rep = 0; rep < REPS; rep++) {
      for (let i = 0; i < variants.length; i++) {
        const v = variants[(i + rep) % variants.length];
        samples.get(v.id)!.push(await v.run());
        process.stderr.write(`rep ${rep + 1}/${REPS}: ${v.id}\n`);
      }
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const backend = median(samples.get('FileBackend.read')!);
    const rows = variants.map((v) => ({ variant: v.id, opsPerSec: Math.round(median(samples.get(v.id)!)), vsBackend: median(samples.get(v.id)!) / backend }));
    if (values.json) {
      console.log(JSON.stringify({ ops: OPS, reps: REPS, depth: DEPTH, rows }, null, 2));
      return;
    }
    console.log(`4 KiB random reads, 1 GiB fully allocated image (page cache), depth ${DEPTH}, ${OPS} ops, median of ${REPS}`);
    console.log(`${'variant'.padEnd(30)}  ${'ops/s'.padStart(10)}  vs backend`);
    for (const r of rows) console.log(`${r.variant.padEnd(30)}  ${r.opsPerSec.toLocaleString('en-US').padStart(10)}  ${r.vsBackend.toFixed(2)}x`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
