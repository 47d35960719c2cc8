/** The allocation map of an image's virtual disk, as `qemu-img map` merges it. */
import { L2_UNALLOCATED, L2_ZERO } from './format.js';
import type { QedImage } from './image.js';

/** One run of the virtual disk with one state; `offset` is the host offset of `start` for data. */
export interface Extent {
  start: number;
  length: number;
  kind: 'data' | 'zero' | 'unallocated';
  offset?: number;
}

/**
 * The allocation map of the whole virtual disk, merged into maximal runs (as `qemu-img map`
 * merges them). Reads tables through the image, so it sees in-memory state and counts lookups.
 */
export async function allocationMap(img: QedImage): Promise<Extent[]> {
  const out: Extent[] = [];
  const push = (e: Extent): void => {
    const last = out[out.length - 1];
    const contiguous =
      last && last.kind === e.kind && last.start + last.length === e.start &&
      (e.kind !== 'data' || last.offset! + last.length === e.offset);
    if (contiguous) last.length += e.length;
    else out.push(e);
  };
  const g = img.geometry;
  const size = img.size;
  for (let l1 = 0; l1 * g.l2Span < size; l1++) {
    const base = l1 * g.l2Span;
    const table = await img.l2TableForMap(l1);
    if (!table) {
      // No L2 table: one unallocated run, without a step per cluster (64 TiB has 2^30 of them).
      push({ start: base, length: Math.min(g.l2Span, size - base), kind: 'unallocated' });
      continue;
    }
    const clusters = Math.min(g.nelems, Math.ceil((size - base) / g.clusterSize));
    for (let i = 0; i < clusters; i++) {
      const start = base + i * g.clusterSize;
      const length = Math.min(g.clusterSize, size - start);
      const v = table[i];
      if (v === L2_UNALLOCATED) push({ start, length, kind: 'unallocated' });
      else if (v === L2_ZERO) push({ start, length, kind: 'zero' });
      else push({ start, length, kind: 'data', offset: v });
    }
  }
  return out;
}
