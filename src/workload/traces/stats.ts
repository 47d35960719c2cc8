/**
 * What is in a trace and what cache covers it (`qed-bench trace stats`): requests and bytes per
 * op, request sizes, time span, footprint (distinct 4 KiB blocks, clusters and L2 tables under a
 * geometry), per-device breakdown, and the LRU miss-ratio curve of the trace's L2 table stream
 * (exact, or SHARDS-sampled below rate 1). One pass, memory bounded by the footprint's bitmaps.
 */
import { missRatioCurveBuilder } from '../../cache/shards.js';
import type { MissRatioCurveReport } from '../../cache/mrc.js';
import { Geometry } from '../../qed/format.js';
import { OP_CODES } from './batch.js';
import { BlockSet, forEachTableKey } from './footprint.js';
import { TraceReader, type TraceOpenOptions, type TraceReadSummary } from './reader.js';
import type { TraceOp } from './types.js';

const OPS: TraceOp[] = ['read', 'write', 'trim', 'flush'];
export const FOOTPRINT_BLOCK = 4096;

export interface OpCount {
  requests: number;
  bytes: number;
}

export interface DeviceStats {
  device: string;
  requests: number;
  ops: Record<TraceOp, OpCount>;
  /** End of the furthest request (bytes): the disk size the device needs. */
  extent: number;
  blocks: number;
  clusters: number;
  tables: number;
}

export interface TraceStats {
  trace: TraceReadSummary;
  geometry: { clusterSize: number; tableSize: number; tableSpan: number };
  requests: number;
  ops: Record<TraceOp, OpCount>;
  /** Power-of-two size buckets: "4096" counts lengths in (2048, 4096]. */
  sizes: Record<string, number>;
  /** ns from the first to the last timestamp. */
  timeSpanNs: number;
  extent: number;
  footprint: { blocks: number; blockSize: number; bytes: number; clusters: number; tables: number };
  devices: DeviceStats[];
  cacheToCover: {
    /** QED: every table the trace touches fits, so only cold misses remain. */
    qedTables: number;
    /** QEMU's qcow2 rule of thumb: 1 MiB of L2 cache per 8 GiB of disk at 64 KiB clusters, for the trace's extent. */
    qcow2RuleMiB: number;
  };
  /** Null when sampleRate was 0 (not wanted). */
  mrc: MissRatioCurveReport | null;
}

interface DeviceTally {
  s: DeviceStats;
  /** Null when the footprint is not wanted. */
  blocks: BlockSet | null;
  clusters: BlockSet | null;
  tables: BlockSet | null;
  /** In order of first appearance among the requests counted: the table keys' device part. */
  id: number;
}

const zeroOps = (): Record<TraceOp, OpCount> => Object.fromEntries(OPS.map((o) => [o, { requests: 0, bytes: 0 }])) as Record<TraceOp, OpCount>;

export interface StatsOptions extends TraceOpenOptions {
  clusterSize: number;
  tableSize: number;
  /** Miss-ratio curve sampling rate (1 exact, 0 none). */
  sampleRate: number;
  /** Fixed-size SHARDS for the curve: at most this many sampled tables (when the curve is wanted). */
  sampleMax?: number;
  /** Only this device. */
  device?: string;
  /** Count the footprint (default true); false: extents, mix and devices only (a replay's default workload needs no more). */
  footprint?: boolean;
  onProgress?: (requests: number) => void;
}

export async function traceStats(file: string, o: StatsOptions): Promise<TraceStats> {
  const geo = new Geometry(o.clusterSize, o.tableSize);
  const reader = new TraceReader(file, { ...o, hash: o.hash ?? true });
  const ops = zeroOps();
  const sizes: Record<string, number> = {};
  const devices = new Map<string, DeviceTally>();
  const curve = o.sampleRate > 0 ? missRatioCurveBuilder(o.sampleRate, o.sampleMax) : null;
  const onTable = curve ? (key: number) => curve.access(key) : null;
  let requests = 0;
  let tMin = Infinity;
  let tMax = -Infinity;
  // Per reader device id (the batch's device column), this device's tallies; ids are in order of first appearance.
  const byId: Array<DeviceTally | undefined> = [];
  const only = o.device === undefined ? -1 : reader.devices.id(o.device);
  const footprint = o.footprint ?? true;
  const blockSet = (size: number) => (footprint ? new BlockSet(size) : null);
  for await (const b of reader.columns()) {
    for (let i = 0; i < b.n; i++) {
      const id = b.device[i];
      if (only >= 0 && id !== only) continue;
      const op = OP_CODES[b.op[i]];
      const time = b.time[i];
      const offset = b.offset[i];
      const length = b.length[i];
      requests++;
      ops[op].requests++;
      ops[op].bytes += length;
      if (time < tMin) tMin = time;
      if (time > tMax) tMax = time;
      let d = byId[id];
      if (!d) {
        const device = reader.devices.names[id];
        d = { s: { device, requests: 0, ops: zeroOps(), extent: 0, blocks: 0, clusters: 0, tables: 0 }, blocks: blockSet(FOOTPRINT_BLOCK), clusters: blockSet(o.clusterSize), tables: blockSet(geo.l2Span), id: devices.size };
        devices.set(device, d);
        byId[id] = d;
      }
      d.s.requests++;
      d.s.ops[op].requests++;
      d.s.ops[op].bytes += length;
      if (op === 'flush' || length === 0) continue;
      const end = offset + length;
      if (end > d.s.extent) d.s.extent = end;
      if (footprint) {
        const bucket = 2 ** Math.ceil(Math.log2(length));
        sizes[bucket] = (sizes[bucket] ?? 0) + 1;
        d.blocks!.addRange(offset, length);
        d.clusters!.addRange(offset, length);
        d.tables!.addRange(offset, length);
      }
      // The table stream: one lookup per L2 table the request spans; devices are separate disks.
      if (onTable) forEachTableKey(d.id, offset, length, geo.l2Span, onTable);
    }
    o.onProgress?.(requests);
  }
  const devs = [...devices.values()].map((d) => ({ ...d.s, blocks: d.blocks?.size ?? 0, clusters: d.clusters?.size ?? 0, tables: d.tables?.size ?? 0 }));
  const sum = (k: 'blocks' | 'clusters' | 'tables') => devs.reduce((s, d) => s + d[k], 0);
  const extent = devs.reduce((s, d) => s + d.extent, 0);
  const tables = sum('tables');
  return {
    trace: reader.summary(),
    geometry: { clusterSize: o.clusterSize, tableSize: o.tableSize, tableSpan: geo.l2Span },
    requests,
    ops,
    sizes,
    timeSpanNs: requests ? tMax - tMin : 0,
    extent,
    footprint: { blocks: sum('blocks'), blockSize: FOOTPRINT_BLOCK, bytes: sum('blocks') * FOOTPRINT_BLOCK, clusters: sum('clusters'), tables },
    devices: devs.sort((a, b) => b.requests - a.requests),
    cacheToCover: { qedTables: tables, qcow2RuleMiB: Math.ceil((extent * 8) / o.clusterSize / 2 ** 20) },
    mrc: curve?.report(0) ?? null,
  };
}
