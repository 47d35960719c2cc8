import fc from 'fast-check';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BlockBackend } from '../../src/io/backend.js';
import { FileBackend, type CacheMode, type ConcreteIoMode } from '../../src/io/file-backend.js';
import type { QedImage } from '../../src/qed/image.js';
import { createImageFile, openImageFile } from '../../src/qed/open-file.js';
import { tempDirs } from '../helpers/tmp.js';

const tempDir = tempDirs();
const SIZE = 8 << 20;
/** Every file I/O path, and the ring and libuv's pool with O_DIRECT (cache: none; /tmp takes it on ext4, xfs, btrfs and tmpfs since Linux 6.6). */
interface Path {
  name: string;
  io: ConcreteIoMode;
  cache: CacheMode;
}
const PATHS: readonly Path[] = [
  { name: 'async', io: 'async', cache: 'writeback' },
  { name: 'sync', io: 'sync', cache: 'writeback' },
  { name: 'ring', io: 'ring', cache: 'writeback' },
  { name: 'adaptive', io: 'adaptive', cache: 'writeback' },
  { name: 'ring-direct', io: 'ring', cache: 'none' },
  { name: 'async-direct', io: 'async', cache: 'none' },
];

interface Op {
  kind: 'write' | 'zero' | 'read' | 'flush';
  off: number;
  len: number;
  seed: number;
}

const op: fc.Arbitrary<Op> = fc
  .record({
    kind: fc.constantFrom<Op['kind']>('write', 'write', 'write', 'zero', 'read', 'read', 'flush'),
    off: fc.nat({ max: SIZE - 1 }),
    len: fc.oneof(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom(4096, 65536)),
    aligned: fc.boolean(),
    seed: fc.integer({ min: 1, max: 0xffff }),
  })
  .map(({ kind, off, len, aligned, seed }) => {
    const o = aligned ? off - (off % 4096) : off;
    return { kind, off: o, len: Math.min(len, SIZE - o), seed };
  });

/** Bytes that differ per request and per position, so a misplaced write cannot pass. */
function data(o: Op): Uint8Array {
  const b = new Uint8Array(o.len);
  for (let i = 0; i < b.length; i++) b[i] = (Math.imul(o.off + i, 0x9e3779b1) ^ o.seed) >>> 24 || 1;
  return b;
}

/** Applies one request; returns what a read saw. */
async function apply(img: QedImage, o: Op): Promise<Uint8Array | null> {
  if (o.kind === 'write') await img.write(data(o), o.off);
  else if (o.kind === 'zero') await img.writeZeroes(o.off, o.len);
  else if (o.kind === 'flush') await img.flush();
  else {
    const got = new Uint8Array(o.len).fill(0xee);
    await img.read(got, o.off);
    return got;
  }
  return null;
}

async function checkClean(file: string, p: Path): Promise<Uint8Array> {
  const img = await openImageFile(file, { readOnly: true, io: p.io, cache: p.cache });
  try {
    expect(img.needsCheck).toBe(false);
    expect(await img.check()).toMatchObject({ corruptions: 0, leaks: 0, checkErrors: 0 });
    const disk = new Uint8Array(SIZE);
    await img.read(disk, 0);
    return disk;
  } finally {
    await img.close();
  }
}

describe('the engine on every file I/O path (async, sync, ring, adaptive, ring with O_DIRECT)', () => {
  it('one request at a time: the same reads and a byte-identical image file on every path; all check clean', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(4096, 65536), fc.constantFrom(1, 2), fc.array(op, { minLength: 1, maxLength: 20 }), async (clusterSize, tableSize, ops) => {
        const dir = await tempDir();
        const files: string[] = [];
        const reads: Array<Array<Uint8Array | null>> = [];
        const disks: Uint8Array[] = [];
        for (const p of PATHS) {
          const file = join(dir, `${p.name}.qed`);
          files.push(file);
          await createImageFile(file, { size: SIZE, clusterSize, tableSize });
          const img = await openImageFile(file, { io: p.io, cache: p.cache, l2Cache: { size: 2 } });
          const seen: Array<Uint8Array | null> = [];
          try {
            for (const o of ops) seen.push(await apply(img, o));
          } finally {
            await img.close();
          }
          reads.push(seen);
          disks.push(await checkClean(file, p));
        }
        const images = await Promise.all(files.map((f) => readFile(f)));
        for (let k = 1; k < PATHS.length; k++) {
          const name = PATHS[k].name;
          reads[k].forEach((r, i) => expect(r === null ? null : Buffer.from(r), `${name}, request ${i}: ${ops[i].kind}`).toEqual(reads[0][i] === null ? null : Buffer.from(reads[0][i]!)));
          expect(images[k].length, `${name}: file length`).toBe(images[0].length);
          expect(Buffer.compare(images[k], images[0]), `the ${name} image file differs from the async one`).toBe(0);
          expect(Buffer.compare(disks[k], disks[0]), `${name}: virtual disk`).toBe(0);
        }
      }),
      { numRuns: 12 },
    );
  }, 240_000);

  it('concurrent batches: the same virtual disk on every path (allocation order may differ); all check clean', async () => {
    const overlaps = (a: Op, b: Op): boolean => a.off < b.off + b.len && b.off < a.off + a.len;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(op, { minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 4 }), fc.constantFrom('serial', 'parallel' as const), async (batches, allocation) => {
        const dir = await tempDir();
        const disks: Uint8Array[] = [];
        for (const p of PATHS) {
          const file = join(dir, `${p.name}.qed`);
          await createImageFile(file, { size: SIZE, clusterSize: 4096, tableSize: 1 });
          const img = await openImageFile(file, { io: p.io, cache: p.cache, l2Cache: { size: 2 }, allocation });
          try {
            for (const batch of batches) {
              // Overlapping writes in one batch have no defined outcome: keep the first.
              const kept: Op[] = [];
              for (const o of batch) if (!kept.some((k) => overlaps(k, o) && (k.kind !== 'read' || o.kind !== 'read'))) kept.push(o);
              await Promise.all(kept.map((o) => apply(img, o)));
            }
          } finally {
            await img.close();
          }
          disks.push(await checkClean(file, p));
        }
        for (let k = 1; k < disks.length; k++) expect(Buffer.compare(disks[k], disks[0]), `${PATHS[k].name}: virtual disk`).toBe(0);
      }),
      { numRuns: 8 },
    );
  }, 240_000); // five paths, O_DIRECT among them, on a shared machine

  it('backing files (raw and QED) open on the same path and cache mode as the image', async () => {
    const dir = await tempDir();
    const raw = join(dir, 'base.raw');
    const mid = join(dir, 'mid.qed');
    const top = join(dir, 'top.qed');
    await writeFile(raw, new Uint8Array(1 << 20).fill(0x5a));
    await createImageFile(mid, { size: 1 << 20, clusterSize: 4096, backingFile: 'base.raw', backingFormat: 'raw' });
    await createImageFile(top, { size: 1 << 20, clusterSize: 4096, backingFile: 'mid.qed' });
    for (const { io, cache } of PATHS) {
      const opened: BlockBackend[] = [];
      const img = await openImageFile(top, { io, cache, wrap: (b) => (opened.push(b), b) });
      try {
        const buf = new Uint8Array(4096);
        await img.read(buf, 8192);
        expect(buf.every((x) => x === 0x5a)).toBe(true); // through both backing files
      } finally {
        await img.close();
      }
      expect(opened.map((b) => b.name)).toEqual([top, mid, raw]);
      expect(opened.map((b) => (b as FileBackend).io)).toEqual([io, io, io]);
      expect(opened.map((b) => (b as FileBackend).cache)).toEqual([cache, cache, cache]);
    }
  });
});
