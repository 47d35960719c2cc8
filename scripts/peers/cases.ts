/** The three requests streams bench:peers times, and the files they run on. */
import { sequentialOffsets, stridedOffsets } from '../lib/offsets.js';

export type CaseId = 'read' | 'overwrite' | 'allocate';
export const CASE_IDS: readonly CaseId[] = ['read', 'overwrite', 'allocate'];

export interface BenchCase {
  id: CaseId;
  title: string;
  op: 'read' | 'write';
  bs: number;
  depth: number;
  ops: number;
  /** Distance between request starts, wrapping inside the disk (qemu-img bench -S); bs = sequential. */
  stride: number;
  /** On a fresh, empty image (every write allocates), else on the fully allocated one. */
  fresh: boolean;
  /** Offsets in the virtual disk, in issue order. */
  offsets: Float64Array;
}

/**
 * qemu-img bench cannot issue random offsets, only a start and a stride that wraps at the end
 * of the disk. An odd number of 4 KiB blocks near size/φ scatters consecutive requests across
 * the disk and visits every block once per size/4 KiB requests: every peer uses this sequence
 * (fio replays it from an iolog), so all of them touch exactly the same blocks in the same order.
 */
export function scatterStride(size: number, block: number): number {
  const blocks = size / block;
  let n = Math.round(blocks / 1.618033988749895);
  if (n % 2 === 0) n++;
  return n * block;
}

export interface CaseCounts {
  /** Requests per run of the 4 KiB cases. */
  readOps: number;
  writeOps: number;
  /** 64 KiB allocating writes per run: at most size / 64 KiB (a fresh image fills up). */
  allocOps: number;
}

export function benchCases(size: number, counts: CaseCounts): BenchCase[] {
  const stride = scatterStride(size, 4096);
  const kib = (n: number): string => `${n >> 10} KiB`;
  const scattered = (id: CaseId, op: 'read' | 'write', what: string, ops: number): BenchCase => ({
    id,
    title: `${kib(4096)} ${what}, depth 32, ${ops} ops, scattered stride ${stride} on the fully allocated image`,
    op,
    bs: 4096,
    depth: 32,
    ops,
    stride,
    fresh: false,
    offsets: stridedOffsets(ops, size, stride),
  });
  return [
    scattered('read', 'read', 'random reads', counts.readOps),
    scattered('overwrite', 'write', 'in-place random writes', counts.writeOps),
    {
      id: 'allocate',
      title: `${kib(65536)} allocating sequential writes, depth 16, ${counts.allocOps} ops, on a fresh image`,
      op: 'write',
      bs: 65536,
      depth: 16,
      ops: counts.allocOps,
      stride: 65536,
      fresh: true,
      offsets: sequentialOffsets(counts.allocOps, 65536),
    },
  ];
}
