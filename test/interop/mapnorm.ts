/**
 * `qemu-img map` and our allocationMap merge extents differently, and qemu reports what the
 * backing file provides (depth >= 1). Both are normalised here to maximal byte ranges of one
 * class of the top image: data (with its host offset), zero cluster, or unallocated.
 */
import type { Extent } from '../../src/qed/map.js';
import type { QemuMapExtent } from '../helpers/qemu.js';

export interface Classified {
  start: number;
  end: number;
  kind: 'data' | 'zero' | 'unallocated';
  /** Host offset of `start` (data only). */
  offset?: number;
}

function push(out: Classified[], c: Classified): void {
  const last = out[out.length - 1];
  if (last && last.end !== c.start) throw new Error(`map has a gap or overlap at ${last.end}..${c.start}`);
  if (last && last.kind === c.kind && (c.kind !== 'data' || last.offset! + (last.end - last.start) === c.offset)) {
    last.end = c.end;
  } else {
    out.push({ ...c });
  }
}

export function classifyQemu(extents: QemuMapExtent[]): Classified[] {
  const out: Classified[] = [];
  for (const e of extents) {
    let kind: Classified['kind'];
    if (e.depth > 0 || e.present === false) kind = 'unallocated';
    else if (e.data) kind = 'data';
    else if (e.zero) kind = 'zero';
    else throw new Error(`qemu-img map extent with no classification: ${JSON.stringify(e)}`);
    if (kind === 'data' && typeof e.offset !== 'number') throw new Error(`qemu-img map data extent without offset: ${JSON.stringify(e)}`);
    push(out, { start: e.start, end: e.start + e.length, kind, ...(kind === 'data' ? { offset: e.offset } : {}) });
  }
  return out;
}

export function classifyOurs(extents: Extent[]): Classified[] {
  const out: Classified[] = [];
  for (const e of extents) {
    push(out, { start: e.start, end: e.start + e.length, kind: e.kind, ...(e.kind === 'data' ? { offset: e.offset } : {}) });
  }
  return out;
}

/** The first difference between two classifications, for a readable failure. */
export function firstDifference(a: Classified[], b: Classified[]): string | null {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) {
      return `range #${i}: ours ${JSON.stringify(a[i])} vs qemu ${JSON.stringify(b[i])}`;
    }
  }
  return null;
}
