/**
 * Seeded interop workloads: phases of byte-disjoint writes, textured writes and zero writes
 * that land in a few "zones" (the start, L2-table boundaries, the backing file's end, the
 * disk's end) so a few MiB of data exercise unaligned writes, cluster and L2-table crossings,
 * allocation races inside one cluster, overwrites, zero clusters and partial zeroing.
 * The same workload runs through our engine (parallel within a phase) or through qemu-io
 * (aio_write in parallel within a phase), and updates a SparseModel.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { QedImage } from '../../src/qed/image.js';
import { Rng } from '../helpers/prng.js';
import { CHUNK, SparseModel, type BaseFill } from './model.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

export type Op =
  | { kind: 'write'; offset: number; length: number; pattern: number }
  | { kind: 'texture'; offset: number; length: number; seed: number }
  | { kind: 'zero'; offset: number; length: number };

export interface Workload {
  seed: number;
  phases: Op[][];
}

export interface BackingSpec {
  format: 'raw' | 'qed';
  /** Virtual size of the backing disk (need not be cluster-aligned for raw). */
  size: number;
}

export interface Scenario {
  name: string;
  seed: number;
  clusterSize: number;
  tableSize: number;
  size: number;
  backing?: BackingSpec;
  /** Length of each zone the ops land in. */
  zoneLen: number;
  /** Ops per phase; phases run one after the other. */
  phases: number[];
}

export const units = { KiB, MiB, GiB };

/** L2 span (bytes of virtual disk one L2 table maps). */
export function l2Span(clusterSize: number, tableSize: number): number {
  return ((clusterSize * tableSize) / 8) * clusterSize;
}

/** Backing disk content: 64 KiB blocks of one byte each; some blocks are zero. */
export function backingBlockPattern(block: number): number {
  return block % 5 === 3 ? 0 : 0xc0 + (block % 0x3f);
}

export function backingFill(spec: BackingSpec): BaseFill {
  return (dst, off) => {
    let i = 0;
    while (i < dst.length) {
      const pos = off + i;
      const block = Math.floor(pos / CHUNK);
      const n = Math.min(dst.length - i, (block + 1) * CHUNK - pos);
      const inside = Math.max(0, Math.min(n, spec.size - pos));
      dst.fill(backingBlockPattern(block), i, i + inside);
      dst.fill(0, i + inside, i + n);
      i += n;
    }
  };
}

export function newModel(s: Scenario): SparseModel {
  return s.backing ? new SparseModel(s.size, backingFill(s.backing), s.backing.size) : new SparseModel(s.size);
}

/** Zones: [start, end) ranges ops land in. */
export function zonesOf(s: Scenario): Array<[number, number]> {
  const z: Array<[number, number]> = [];
  const add = (a: number, b: number): void => {
    const s0 = Math.max(0, Math.floor(a / 512) * 512);
    const e0 = Math.min(s.size, b);
    if (e0 > s0) z.push([s0, e0]);
  };
  add(0, s.zoneLen);
  const span = l2Span(s.clusterSize, s.tableSize);
  const bounds: number[] = [];
  for (let b = span; b < s.size && bounds.length < 2; b += span) bounds.push(b);
  // a second boundary far from the first when there are many
  if (s.size / span > 8) bounds[1] = Math.floor(s.size / span / 2) * span;
  for (const b of bounds) add(b - s.zoneLen / 2, b + s.zoneLen / 2);
  if (s.backing) add(s.backing.size - s.zoneLen / 2, s.backing.size + s.zoneLen / 2);
  add(s.size - s.zoneLen, s.size);
  z.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const r of z) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/** L2-table boundaries inside the zones. */
export function l2BoundariesIn(s: Scenario, zones: Array<[number, number]>): number[] {
  const span = l2Span(s.clusterSize, s.tableSize);
  const out: number[] = [];
  for (const [a, b] of zones) {
    for (let x = Math.ceil((a + 1) / span) * span; x < b; x += span) out.push(x);
  }
  return out;
}

type ClusterState = 'zero' | 'data';

/**
 * Generate a workload. With `avoidPartialIntoZero` (QEMU writing an image with a backing
 * file), no op writes part of a cluster that is a zero cluster at that point: QEMU fills the
 * rest of such a cluster from the backing file instead of zeros (a QEMU bug, QED-FACTS.md).
 * With `avoidPartialZeroOnUnallocated` (comparing layouts), no zero write covers part of an
 * unallocated or zero cluster of an image without a backing file: QEMU allocates a data
 * cluster of zeros there, our engine leaves the cluster as it is (same content, different
 * layout; see differential.test.ts).
 */
export function generateWorkload(s: Scenario, opts: { avoidPartialIntoZero?: boolean; avoidPartialZeroOnUnallocated?: boolean } = {}): Workload {
  const rng = new Rng(s.seed);
  const g = s.clusterSize;
  const zones = zonesOf(s);
  const bounds = l2BoundariesIn(s, zones);
  const maxLen = Math.min(3 * g, 1 * MiB + 2 * g);
  const smallMax = Math.min(g / 2, 12 * KiB);
  const state = new Map<number, ClusterState>();
  let patternNo = 0;
  let textureNo = 0;
  const phases: Op[][] = [];

  const inZone = (): [number, number] => zones[rng.int(0, zones.length - 1)];
  const randIn = ([a, b]: [number, number]): number => rng.int(a, b - 1);
  const clusterIn = (z: [number, number]): number => {
    const first = Math.ceil(z[0] / g);
    const last = Math.floor(z[1] / g) - 1;
    return (last >= first ? rng.int(first, last) : first) * g;
  };

  for (let p = 0; p < s.phases.length; p++) {
    const ops: Op[] = [];
    const nextState = new Map(state);
    let attempts = 0;
    while (ops.length < s.phases[p] && attempts < s.phases[p] * 60) {
      attempts++;
      const zeroing = p > 0 && rng.chance(0.25);
      let off: number;
      let len: number;
      const prev = ops[ops.length - 1];
      const shape = zeroing
        ? rng.weighted([[3, 'zeroClusters'], [2, 'zeroPartial']] as const)
        : rng.weighted([
            [3, 'small'],
            [3, 'crossCluster'],
            [bounds.length > 0 ? 2 : 0, 'crossL2'],
            [2, 'aligned'],
            [2, 'sectors'],
            [prev ? 3 : 0, 'neighbour'],
          ] as const);
      switch (shape) {
        case 'small':
          off = randIn(inZone());
          len = rng.int(1, smallMax);
          break;
        case 'crossCluster': {
          const b = clusterIn(inZone()) + g;
          off = b - rng.int(1, Math.min(g - 1, 16 * KiB));
          len = b - off + rng.int(1, Math.min(g, 16 * KiB));
          break;
        }
        case 'crossL2': {
          const b = rng.pick(bounds);
          off = b - rng.int(1, Math.min(2 * g, 40 * KiB));
          len = b - off + rng.int(1, Math.min(2 * g, 40 * KiB));
          break;
        }
        case 'aligned':
          off = clusterIn(inZone());
          len = g * rng.int(1, Math.max(1, Math.floor(maxLen / g)));
          break;
        case 'sectors':
          off = Math.floor(randIn(inZone()) / 512) * 512;
          len = 512 * rng.int(1, Math.min(2 * g, 96 * KiB) / 512);
          break;
        case 'neighbour':
          off = prev!.offset + prev!.length + rng.int(0, 700);
          len = rng.int(1, smallMax);
          break;
        case 'zeroClusters':
          off = clusterIn(inZone());
          len = g * rng.int(1, g >= MiB ? 1 : 3);
          break;
        case 'zeroPartial':
          off = randIn(inZone());
          len = rng.int(1, Math.min(2 * g + g / 2, 1 * MiB + g));
          break;
      }
      if (off < 0 || off >= s.size) continue;
      len = Math.min(len, s.size - off, maxLen);
      if (len <= 0) continue;
      if (ops.some((o) => off < o.offset + o.length && o.offset < off + len)) continue;

      // cluster states: which clusters this op writes partially, wholly, or marks zero
      const firstC = Math.floor(off / g);
      const lastC = Math.floor((off + len - 1) / g);
      let bad = false;
      const effects: Array<[number, ClusterState]> = [];
      for (let c = firstC; c <= lastC; c++) {
        const whole = off <= c * g && (c + 1) * g <= off + len;
        const st = state.get(c);
        if (zeroing && whole) {
          effects.push([c, st === 'data' ? 'data' : 'zero']);
        } else {
          if (!whole && st === 'zero' && opts.avoidPartialIntoZero && s.backing) bad = true;
          if (!whole && zeroing && st !== 'data' && !s.backing && opts.avoidPartialZeroOnUnallocated) bad = true;
          effects.push([c, 'data']);
        }
      }
      if (bad) continue;
      for (const [c, st] of effects) nextState.set(c, st);

      if (zeroing) {
        ops.push({ kind: 'zero', offset: off, length: len });
      } else if (rng.chance(0.15)) {
        ops.push({ kind: 'texture', offset: off, length: len, seed: (s.seed ^ (++textureNo * 0x9e3779b1)) >>> 0 });
      } else {
        // distinct pattern bytes 0x01..0xaf; backing blocks use 0xc0..0xfe
        ops.push({ kind: 'write', offset: off, length: len, pattern: 1 + (patternNo++ % 0xaf) });
      }
    }
    for (const [c, st] of nextState) state.set(c, st);
    phases.push(ops);
  }
  return { seed: s.seed, phases };
}

export function opBytes(op: Op): Uint8Array {
  if (op.kind === 'write') return new Uint8Array(op.length).fill(op.pattern);
  if (op.kind === 'texture') return new Rng(op.seed).bytes(op.length);
  return new Uint8Array(op.length);
}

export function applyToModel(m: SparseModel, op: Op): void {
  if (op.kind === 'zero') m.zero(op.offset, op.length);
  else m.write(op.offset, opBytes(op), op.kind === 'texture');
}

/**
 * Run the workload on our engine: each phase's ops all in flight at once, together with reads
 * of earlier data that no op of the phase touches (checked against the model: a stale or
 * torn read while tables are allocated, updated or evicted fails here).
 */
export async function runOnEngine(img: QedImage, w: Workload, m: SparseModel): Promise<void> {
  const rng = new Rng((w.seed ^ 0x4ead) >>> 0);
  for (let p = 0; p < w.phases.length; p++) {
    const ops = w.phases[p];
    const reads: Array<{ offset: number; length: number; want: Uint8Array; got: Uint8Array }> = [];
    const touched = m.touchedRanges();
    for (let i = 0; i < 12 && touched.length > 0; i++) {
      const [a, b] = rng.pick(touched);
      const offset = rng.int(a, b - 1);
      const length = Math.min(rng.int(1, 96 * KiB), b - offset);
      if (ops.some((o) => offset < o.offset + o.length && o.offset < offset + length)) continue;
      reads.push({ offset, length, want: m.read(offset, length), got: new Uint8Array(length) });
    }
    await Promise.all([
      ...ops.map((op) => (op.kind === 'zero' ? img.writeZeroes(op.offset, op.length) : img.write(opBytes(op), op.offset))),
      ...reads.map((r) => img.read(r.got, r.offset)),
    ]);
    for (const r of reads) {
      const at = r.got.findIndex((v, i) => v !== r.want[i]);
      if (at >= 0) {
        throw new Error(`phase ${p}: concurrent read ${r.offset}+${r.length} returned 0x${r.got[at].toString(16)} at ${r.offset + at}, model says 0x${r.want[at].toString(16)} (seed ${w.seed})`);
      }
    }
    for (const op of ops) applyToModel(m, op);
  }
}

/**
 * qemu-io arguments for one phase: first the synchronous commands (textured writes via
 * `write -s` from a file written into `dir`, some `write -P` and `write -z`), then the rest as
 * aio_write (all in flight together) and aio_flush.
 *
 * Two orderings avoid a QEMU 7.2 race (qemuIoKnownCrash): synchronous commands never run
 * while aio_write requests are in flight, and zero writes that are not cluster-aligned (the
 * block layer splits them into head, aligned body and tail: several QED requests in a row)
 * are always synchronous.
 */
export async function qemuIoPhaseArgs(ops: Op[], rng: Rng, dir: string, phase: number, clusterSize: number): Promise<string[]> {
  const sync: string[] = [];
  const aio: string[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    const split = op.kind === 'zero' && (op.offset % clusterSize !== 0 || op.length % clusterSize !== 0);
    const useAio = rng.chance(0.7) && !split;
    if (op.kind === 'texture') {
      const file = path.join(dir, `texture-${phase}-${i}.bin`);
      await fsp.writeFile(file, opBytes(op));
      sync.push('-c', `write -q -s ${file} ${op.offset} ${op.length}`);
    } else {
      const what = op.kind === 'zero' ? '-z' : `-P 0x${op.pattern.toString(16)}`;
      (useAio ? aio : sync).push('-c', `${useAio ? 'aio_write' : 'write'} -q ${what} ${op.offset} ${op.length}`);
    }
  }
  return [...sync, ...aio, '-c', 'aio_flush'];
}

/**
 * QEMU 7.2's allocating-write race: qed_aio_complete() clears s->allocating_acb and wakes the
 * next queued allocating write, but before that one runs, a request that arrives meanwhile
 * (the next part of a split write-zeroes, or a synchronous qemu-io command) finds the slot
 * free and takes it; the woken request then fails `assert(s->allocating_acb == NULL)`.
 * Deterministic with a backing file:
 *   qemu-img create -f qed -b b.raw -F raw f.qed 128M
 *   qemu-io -f qed -c 'aio_write -z 1001 140000' -c 'aio_write -z 300001 140000' \
 *     -c 'aio_write -z 600001 140000' -c aio_flush f.qed
 * qemuIoPhaseArgs avoids the shapes that trigger it; an abort that still happens is retried.
 */
export function qemuIoKnownCrash(output: string): boolean {
  return /qed_aio_write_alloc: Assertion `s->allocating_acb == NULL' failed/.test(output);
}

export function describeWorkload(w: Workload): string {
  const n = w.phases.map((p) => p.length).join('+');
  const bytes = w.phases.flat().reduce((s, o) => s + o.length, 0);
  return `seed ${w.seed}: ${n} ops, ${(bytes / MiB).toFixed(2)} MiB`;
}

/** The backing file's name inside the scenario directory. */
export function backingName(spec: BackingSpec): string {
  return spec.format === 'raw' ? 'base.raw' : 'base.qed';
}

/** Write the raw backing file: one pattern per 64 KiB block, zero blocks left as holes. */
export async function writeRawBacking(file: string, spec: BackingSpec): Promise<void> {
  const fh = await fsp.open(file, 'w');
  try {
    await fh.truncate(spec.size);
    for (let b = 0; b * CHUNK < spec.size; b++) {
      const n = Math.min(CHUNK, spec.size - b * CHUNK);
      const p = backingBlockPattern(b);
      if (p !== 0) await fh.write(new Uint8Array(n).fill(p), 0, n, b * CHUNK);
    }
  } finally {
    await fh.close();
  }
}

/**
 * The zero blocks of a QED backing image: every other one is a zero cluster (L2 entry 1),
 * the rest stay unallocated. Both read as zeros.
 */
export function qedBackingZeroBlocks(spec: BackingSpec): number[] {
  const out: number[] = [];
  for (let b = 0; b * CHUNK < spec.size; b++) if (backingBlockPattern(b) === 0 && b % 2 === 0) out.push(b);
  return out;
}
