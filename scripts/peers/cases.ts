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
  // size and block are powers of two, so any odd number of blocks visits all of them;
  // qemu-img bench takes a step of at most 2^31 - 1 bytes.
  const blocks = size / block;
  let n = Math.min(Math.round(blocks / 1.618033988749895), Math.floor(QEMU_MAX_STEP / block));
  if (n % 2 === 0) n--;
  return n * block;
}

const QEMU_MAX_STEP = 2 ** 31 - 1;

export interface CaseCounts {
  /** Requests per run of the 4 KiB cases. */
  readOps: number;
  writeOps: number;
  /** 64 KiB allocating writes per run: at most size / 64 KiB (a fresh image fills up). */
  allocOps: number;
  /** Allocating writes in disk order, or scattered over the disk (which spreads them over every L2 table). */
  allocOrder: 'sequential' | 'scattered';
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
    allocating(size, counts),
  ];
}

function allocating(size: number, counts: CaseCounts): BenchCase {
  const cluster = 65536;
  const scattered = counts.allocOrder === 'scattered';
  const stride = scattered ? scatterStride(size, cluster) : cluster;
  return {
    id: 'allocate',
    title: `64 KiB allocating ${scattered ? `writes, scattered stride ${stride}` : 'sequential writes'}, depth 16, ${counts.allocOps} ops, on a fresh image`,
    op: 'write',
    bs: cluster,
    depth: 16,
    ops: counts.allocOps,
    stride,
    fresh: true,
    offsets: scattered ? stridedOffsets(counts.allocOps, size, stride) : sequentialOffsets(counts.allocOps, cluster),
  };
}
