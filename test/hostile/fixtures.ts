/**
 * Hostile inputs built on the spot in a temp directory: workloads that cannot be replayed and
 * images that are corrupt, one per class of bad input the CLI must refuse cleanly.
 */
import { open, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createImageFile } from '../../src/qed/open-file.js';
import { QedImage } from '../../src/qed/image.js';
import { openImageFile } from '../../src/qed/open-file.js';

/** A workload with `extra` lines after the first phase-less part; small and fast. */
export function workload(name: string, extra = '', image = 'image: { size: 16M, cluster_size: 4k, table_size: 1 }'): string {
  return `name: ${name}\nseed: 1\n${image}\ncache: { size: 3, policy: fifo }\n${extra}phases:\n  - name: p\n    jobs:\n      - { name: w, pattern: random, op: write, bs: 4k, iodepth: 2, stop: { ops: 20 } }\n`;
}

/** A scenario workload (deterministic scheduler) with these steps. */
export function scenario(name: string, steps: string[]): string {
  return `name: ${name}\nimage: { size: 64M, cluster_size: 4k, table_size: 2 }\ncache: { size: 1 }\nscheduler: { mode: deterministic }\nphases:\n  - name: race\n    scenario:\n${steps.map((s) => `      - ${s}`).join('\n')}\n`;
}

/** Write little-endian integers at byte offsets of a file. */
export async function poke(path: string, at: number, value: number | bigint, bytes: 4 | 8 = 8): Promise<void> {
  const f = await open(path, 'r+');
  try {
    const b = Buffer.alloc(bytes);
    if (bytes === 8) b.writeBigUInt64LE(BigInt(value));
    else b.writeUInt32LE(Number(value));
    await f.write(b, 0, bytes, at);
  } finally {
    await f.close();
  }
}

export async function readU64(path: string, at: number): Promise<bigint> {
  const f = await open(path, 'r');
  try {
    const b = Buffer.alloc(8);
    await f.read(b, 0, 8, at);
    return b.readBigUInt64LE();
  } finally {
    await f.close();
  }
}

/** A 64 MiB image (4k clusters, 1-cluster tables) with data in its first two clusters. */
export async function imageWithData(path: string, backing?: { file: string; format: 'raw' | 'qed' }): Promise<string> {
  await createImageFile(path, { size: 64 << 20, clusterSize: 4096, tableSize: 1, backingFile: backing?.file, backingFormat: backing?.format });
  if (!backing) {
    const img: QedImage = await openImageFile(path);
    await img.write(new Uint8Array(8192).fill(0xab), 0);
    await img.close();
  }
  return path;
}

/** Header fields (byte offsets in the 64-byte QED header). */
export const HEADER = { headerSize: 12, features: 16, compatFeatures: 24, autoclearFeatures: 32, l1TableOffset: 40, imageSize: 48, backingNameOffset: 56, backingNameSize: 60 } as const;

/** imageWithData with one field poked at `at` (or where `at` finds): a corrupt image in one call. */
export async function pokedImage(path: string, at: number | ((img: string) => Promise<number>), value: number | bigint, bytes: 4 | 8 = 8): Promise<string> {
  await imageWithData(path);
  await poke(path, typeof at === 'number' ? at : await at(path), value, bytes);
  return path;
}

/** Where the first L2 table of an image is (its L1 entry 0), plus `plus` bytes. */
export const inFirstL2 = (plus: number) => async (img: string) => Number(await readU64(img, Number(await readU64(img, HEADER.l1TableOffset)))) + plus;

/** Give an image a backing file name (the backing-file feature bit, the name right after the 64-byte header). */
export async function setBackingName(path: string, name: Buffer): Promise<void> {
  await poke(path, HEADER.features, 1n);
  await poke(path, HEADER.backingNameOffset, 64, 4);
  await poke(path, HEADER.backingNameSize, name.length, 4);
  const f = await open(path, 'r+');
  try {
    await f.write(name, 0, name.length, 64);
  } finally {
    await f.close();
  }
}

export async function dir(path: string): Promise<string> {
  await mkdir(path, { recursive: true });
  return path;
}

export { writeFile, join };
