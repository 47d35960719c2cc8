/** Benchmark helpers: a fully allocated QED image, and the host offset of each virtual offset in it. */
import { createImageFile, openImageFile } from '../../src/qed/open-file.js';
import type { QedImage } from '../../src/qed/image.js';

/**
 * A QED image with every cluster allocated (written with `fill`), written in 1 MiB requests
 * one at a time; just written, so it sits in the page cache.
 */
export async function createFullImage(path: string, size: number, opts: { clusterSize?: number; fill?: number } = {}): Promise<void> {
  await createImageFile(path, { size, clusterSize: opts.clusterSize });
  const img = await openImageFile(path);
  try {
    const chunk = new Uint8Array(Math.min(1 << 20, size)).fill(opts.fill ?? 0x5a);
    for (let off = 0; off < size; off += chunk.length) await img.write(chunk.subarray(0, Math.min(chunk.length, size - off)), off);
  } finally {
    await img.close();
  }
}

/**
 * The host (file) offset of each virtual offset, through the image's own tables, so raw I/O on
 * the file touches exactly the bytes the image would. Every offset must be allocated and the
 * request must not cross a cluster.
 */
export async function hostOffsets(path: string, virtual: Float64Array): Promise<Float64Array> {
  const img = await openImageFile(path, { readOnly: true });
  try {
    return await translate(img, virtual);
  } finally {
    await img.close();
  }
}

async function translate(img: QedImage, virtual: Float64Array): Promise<Float64Array> {
  const g = img.geometry;
  const tables = new Map<number, Float64Array | null>();
  const out = new Float64Array(virtual.length);
  for (let i = 0; i < virtual.length; i++) {
    const v = virtual[i];
    const l1 = g.l1Index(v);
    if (!tables.has(l1)) tables.set(l1, await img.l2TableForMap(l1));
    const host = tables.get(l1)?.[g.l2Index(v)] ?? 0;
    if (host <= 1) throw new Error(`${img.description}: offset ${v} is not allocated`);
    out[i] = host + g.offsetInCluster(v);
  }
  return out;
}
