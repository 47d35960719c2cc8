/**
 * When `sweep` runs without the engine: a `.tables` stream, an oracleGeneral trace, or any block
 * trace with --cache-only (its L2 table stream under --cluster-size/--table-size geometry).
 */
import { DEFAULT_CLUSTER_SIZE, DEFAULT_TABLE_SIZE } from '../qed/format.js';
import type { CacheOnlySpec } from '../experiments/cache-only.js';
import { TABLES_SUFFIX } from '../workload/traces/formats.js';
import { resolveFormat } from '../workload/traces/reader.js';
import { CliUsageError } from './errors.js';
import { isTraceFile, readOptionsOf, type TraceCliOptions } from './trace-input.js';

export interface CacheOnlyOptions extends TraceCliOptions {
  workload: string;
  cacheOnly?: boolean;
  shard?: string;
  set: string[];
}

export function cacheOnlyKind(o: CacheOnlyOptions): CacheOnlySpec['kind'] | null {
  if (!isTraceFile(o.workload)) return null;
  const kind = TABLES_SUFFIX.test(o.workload) ? 'tables' : o.cacheOnly || resolveFormat(o.workload, o.format).name === 'oracle-general' ? 'trace' : null;
  if (kind && o.shard !== undefined) throw new CliUsageError('--shard applies to engine replays; a cache-only sweep runs every cell in one pass over the file');
  if (kind && o.set.length) throw new CliUsageError(`--set applies to workload replays; a cache-only sweep of ${o.workload} has no workload`);
  return kind;
}

export function cacheOnlySpec(o: CacheOnlyOptions, kind: CacheOnlySpec['kind'], sizes: number[], policies: string[]): CacheOnlySpec {
  // Devices addressed as the engine's replay of the same flags would: one disk, a disk each (all), or one device.
  const device = o.device === 'all' ? undefined : o.device;
  return { file: o.workload, kind, sizes, policies, trace: { ...readOptionsOf(o), device, apart: o.device === 'all', clusterSize: DEFAULT_CLUSTER_SIZE, tableSize: DEFAULT_TABLE_SIZE } };
}
