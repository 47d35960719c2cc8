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
import { FileBackend } from '../src/io/file-backend.js';
import { openImageFile } from '../src/qed/open-file.js';
import { runWorkload } from '../src/replay/runner.js';
import { parseWorkload } from '../src/workload/load.js';
import { createFullImage } from './lib/full-image.js';
import { atDepth } from './lib/lanes.js';
import { randomOffsets } from './lib/offsets.js';
import { median, opsPerSec, rotation } from './lib/samples.js';
import { benchArgs } from './lib/bench-args.js';

const SIZE = 1 << 30;
const BLOCK = 4096;
const DEPTH = 32;

const { values } = benchArgs('bench:replay', { options: { ops: { type: 'string', default: '100000' }, reps: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } } });
const OPS = Number(values.ops);
const REPS = Number(values.reps);

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'qed-bench-replay-'));
  try {
    const image = path.join(dir, 'full.qed');
    await createFullImage(image, SIZE);
    const fileBlocks = Math.floor(fs.statSync(image).size / BLOCK);
    const fileOffs = randomOffsets(OPS, fileBlocks, BLOCK);
    const diskOffs = randomOffsets(OPS, SIZE / BLOCK, BLOCK);
    /** ops/s of `read` over the offsets at DEPTH. */
    const readRate = async (offs: Float64Array, read: (buf: Uint8Array, off: number) => Promise<void>): Promise<number> =>
      opsPerSec(offs.length, await atDepth(offs, DEPTH, BLOCK, read));

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
          const r = await readRate(fileOffs, (buf, off) => b.read(buf, off));
          await b.close();
          return r;
        },
      },
      {
        id: 'QedImage.read (engine)',
        run: async () => {
          const img = await openImageFile(image, { readOnly: true });
          const r = await readRate(diskOffs, (buf, off) => img.read(buf, off));
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
      for (const v of rotation(variants, rep)) {
        samples.get(v.id)!.push(await v.run());
        process.stderr.write(`rep ${rep + 1}/${REPS}: ${v.id}\n`);
      }
    }
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
