/**
 * The workload a bare trace gets on `run TRACE` / `sweep TRACE`: a fresh image sized to the
 * trace's extent rounded up to a table span (QEMU's default geometry), cache 50 fifo, one job
 * replaying the trace (or, with device "all", one job per device, each on its own region, in
 * parallel). Written as YAML text so --set, the matrix and sweep workers treat it as any file.
 */
import { basename } from 'node:path';
import { stringify } from 'yaml';
import { DEFAULTS } from '../schema.js';
import type { TraceStats } from './stats.js';

export interface TraceJobOptions {
  format: string;
  /** A device name, "all" (one job each), or undefined (every device's requests in one job). */
  device?: string;
  fit?: string;
  timing?: string;
  speed?: string;
  maxBadLines?: number;
  columns?: string;
  offsetUnit?: string;
  timeUnit?: string;
  iodepth: number;
}

export const DEFAULT_TRACE_IODEPTH = 32;

const roundUp = (n: number, to: number) => Math.max(to, Math.ceil(n / to) * to);

export function traceWorkloadText(file: string, o: TraceJobOptions, stats: TraceStats): string {
  const span = stats.geometry.tableSpan;
  const trace = (device?: string) => ({
    file,
    format: o.format,
    ...(device !== undefined ? { device } : {}),
    ...(o.fit ? { fit: o.fit } : {}),
    ...(o.timing ? { timing: o.timing } : {}),
    ...(o.speed ? { speed: o.speed } : {}),
    ...(o.maxBadLines ? { max_bad_lines: o.maxBadLines } : {}),
    ...(o.columns ? { columns: o.columns } : {}),
    ...(o.offsetUnit ? { offset_unit: o.offsetUnit } : {}),
    ...(o.timeUnit ? { time_unit: o.timeUnit } : {}),
  });
  let size: number;
  let jobs: object[];
  if (o.device === 'all') {
    let at = 0;
    jobs = [...stats.devices]
      .sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0))
      .map((d) => {
        const region = roundUp(d.extent, span);
        const job = { name: `device-${d.device}`, trace: trace(d.device), iodepth: o.iodepth, region: { offset: at, span: region } };
        at += region;
        return job;
      });
    size = Math.max(at, span);
  } else {
    const extent = o.device === undefined ? Math.max(0, ...stats.devices.map((d) => d.extent)) : (stats.devices.find((d) => d.device === o.device)?.extent ?? 0);
    size = roundUp(extent, span);
    jobs = [{ name: o.device === undefined ? 'trace' : `device-${o.device}`, trace: trace(o.device), iodepth: o.iodepth }];
  }
  const w = {
    name: basename(file).replace(/\.(gz|zst)$/i, ''),
    description: `replay of the ${o.format} trace ${file} (defaults for a bare trace)`,
    image: { size, cluster_size: stats.geometry.clusterSize, table_size: stats.geometry.tableSize },
    cache: { ...DEFAULTS.cache },
    phases: [{ name: 'trace', jobs }],
  };
  return stringify(w);
}
