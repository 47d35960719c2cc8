/** Pieces shared by the interop test files. */
import path from 'node:path';
import { createImageFile, openImageFile } from '../../src/qed/open-file.js';
import { allocationMap } from '../../src/qed/map.js';
import type { SparseModel } from './model.js';
import { CHUNK } from './model.js';
import { backingBlockPattern, backingName, qedBackingZeroBlocks, writeRawBacking, type BackingSpec } from './workload.js';
import { classifyOurs, type Classified } from './mapnorm.js';

export const hex = (n: number): string => `0x${n.toString(16)}`;

/** Build the backing file with our engine (raw: plain file; qed: 64k clusters, table 2). */
export async function buildBackingWithOurs(dir: string, spec: BackingSpec): Promise<string> {
  const file = path.join(dir, backingName(spec));
  if (spec.format === 'raw') {
    await writeRawBacking(file, spec);
    return file;
  }
  await createImageFile(file, { size: spec.size, clusterSize: CHUNK, tableSize: 2 });
  const img = await openImageFile(file);
  try {
    const zeroClusters = new Set(qedBackingZeroBlocks(spec));
    const jobs: Promise<void>[] = [];
    for (let b = 0; b * CHUNK < spec.size; b++) {
      const p = backingBlockPattern(b);
      if (p !== 0) jobs.push(img.write(new Uint8Array(CHUNK).fill(p), b * CHUNK));
      else if (zeroClusters.has(b)) jobs.push(img.writeZeroes(b * CHUNK, CHUNK));
    }
    await Promise.all(jobs);
  } finally {
    await img.close();
  }
  return file;
}

/** Our allocation map of an image file, normalised (opened read-only). */
export async function ourClassifiedMap(file: string): Promise<Classified[]> {
  const img = await openImageFile(file, { readOnly: true });
  try {
    return classifyOurs(await allocationMap(img));
  } finally {
    await img.close();
  }
}

/** Untouched 64 KiB-chunk ranges of the model inside [from, to). */
export function untouchedRanges(model: SparseModel, from: number, to: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let s = Math.floor(from / CHUNK) * CHUNK; s < Math.min(to, model.size); s += CHUNK) {
    if (model.isTouched(s)) continue;
    const e = Math.min(s + CHUNK, model.size);
    const last = out[out.length - 1];
    if (last && last[1] === s) last[1] = e;
    else out.push([s, e]);
  }
  return out;
}

/** The first byte where two buffers differ, or -1. */
export function firstMismatch(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}
