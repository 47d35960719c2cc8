/** Cluster lookup: from a virtual offset, through L1 and the cached L2 table, to a run of clusters. */
import type { CacheEntry } from '../cache/l2-cache.js';
import type { Origin } from '../io/backend.js';
import { QedFormatError } from './errors.js';
import { L2_UNALLOCATED, L2_ZERO, u64Text, type Geometry } from './format.js';
import type { L2Table } from './l2-table.js';
import type { Table } from './table.js';
import type { TableAccessOp, TableIo } from './table-io.js';

/** What one lookup found: a run of clusters of one kind inside one L2 table. */
export interface Run {
  kind: 'data' | 'zero' | 'unallocated';
  /** Host offset of `pos` for data runs. */
  host: number;
  /** Bytes from `pos` covered by this run. */
  len: number;
  /** The L2 table, referenced for the caller; null when the L1 entry is empty. */
  entry: CacheEntry<L2Table> | null;
  l1Index: number;
  l2Index: number;
  /** Clusters the run covers (from the cluster holding `pos`). */
  clusters: number;
  /** The request kind that looked it up (for onTableAccess). */
  op: TableAccessOp;
}

/** QEMU's qed_find_cluster: entries are checked against the allocated end of the file. */
export class ClusterLookup {
  constructor(
    private readonly name: string,
    private readonly geometry: Geometry,
    private readonly l1: Table,
    private readonly tables: TableIo,
    /** Where the allocated area ends now (it grows as clusters are allocated). */
    private readonly allocationEnd: () => number,
    /** L1 entries past 2^53 as the file holds them (hugeEntries), for the error that names one. */
    private readonly hugeL1: ReadonlyMap<number, bigint> = new Map(),
  ) {}

  /**
   * Find the run of same-kind clusters at `pos`, at most `maxLen` bytes, inside one L2 table: at
   * once when no table has to be loaded, else a promise. Throws a format error at once.
   */
  lookup(pos: number, maxLen: number, op: TableAccessOp, origin?: Origin): Run | Promise<Run> {
    return this.cached(pos, maxLen, op) ?? this.loadRun(pos, maxLen, op, origin, sameRun);
  }

  /**
   * lookup's run when no table has to be loaded (a hit makes no continuation: a closure per hit
   * was garbage per request); null when its table must be loaded, the miss already counted:
   * loadRun next. Throws a format error at once.
   */
  cached(pos: number, maxLen: number, op: TableAccessOp): Run | null {
    const g = this.geometry;
    const l1Index = g.l1Index(pos);
    const l2Offset = this.l2OffsetOf(l1Index);
    if (l2Offset === L2_UNALLOCATED) {
      const l2Index = g.l2Index(pos);
      const inCluster = g.offsetInCluster(pos);
      const limit = limitOf(g, l2Index, inCluster, maxLen);
      return { kind: 'unallocated', host: 0, len: limit, entry: null, l1Index, l2Index, clusters: clustersOf(g, inCluster, limit), op };
    }
    const hit = this.tables.find(l2Offset, op);
    return hit ? this.runIn(hit, l2Offset, pos, maxLen, op) : null;
  }

  /**
   * After cached() gave null: load the table, then `then` of the run, in the load's own reaction
   * (a caller's `then` on lookup's promise was a second reaction per miss). `fail`, if given,
   * takes a failed load or lookup instead of a rejection.
   */
  loadRun<R>(pos: number, maxLen: number, op: TableAccessOp, origin: Origin | undefined, then: (run: Run) => R, fail?: (err: unknown) => Promise<never>): Promise<Awaited<R>> {
    const l2Offset = this.l2OffsetOf(this.geometry.l1Index(pos));
    return this.tables.loadMissed(l2Offset, origin, (e) => then(this.runIn(e, l2Offset, pos, maxLen, op)), fail);
  }

  /** loadRun by callback (TableIo.loadMissedThen): `then` of the run, or of null and the error (the load's or the lookup's). */
  loadRunThen(pos: number, maxLen: number, op: TableAccessOp, origin: Origin | undefined, then: (run: Run | null, err: unknown) => void): void {
    const l2Offset = this.l2OffsetOf(this.geometry.l1Index(pos));
    this.tables.loadMissedThen(l2Offset, origin, (e, err) => {
      if (e === null) return then(null, err);
      let run: Run;
      try {
        run = this.runIn(e, l2Offset, pos, maxLen, op);
      } catch (lookupErr) {
        return then(null, lookupErr);
      }
      then(run, null);
    });
  }

  /** The run at `pos` (at most `maxLen` bytes) in a referenced table (the reference goes to the run, or is dropped on an error). */
  private runIn(entry: CacheEntry<L2Table>, l2Offset: number, pos: number, maxLen: number, op: TableAccessOp): Run {
    const g = this.geometry;
    const l1Index = g.l1Index(pos);
    const l2Index = g.l2Index(pos);
    const inCluster = g.offsetInCluster(pos);
    const limit = limitOf(g, l2Index, inCluster, maxLen);
    const t = entry.table;
    const first = t.get(l2Index);
    const maxClusters = clustersOf(g, inCluster, limit);
    let n = 1;
    if (first === L2_UNALLOCATED || first === L2_ZERO) {
      while (n < maxClusters && t.get(l2Index + n) === first) n++;
    } else {
      const end = this.allocationEnd();
      if (!g.validClusterOffset(first, end)) {
        this.tables.cache.unref(entry);
        throw new QedFormatError(this.name, `l2[${l2Offset}][${l2Index}]`, `L2 table at ${l2Offset} entry ${l2Index} points to an invalid cluster offset ${u64Text(first, t.slice(l2Index, 1), 0)} (file allocation ends at ${end}); run \`qed-bench check --repair\``);
      }
      while (n < maxClusters && t.get(l2Index + n) === first + n * g.clusterSize) n++;
    }
    const kind = first === L2_UNALLOCATED ? 'unallocated' : first === L2_ZERO ? 'zero' : 'data';
    const len = Math.min(limit, n * g.clusterSize - inCluster);
    return { kind, host: kind === 'data' ? first + inCluster : 0, len, entry, l1Index, l2Index, clusters: n, op };
  }

  /** The L1 entry, checked: 0 (no table) or a valid table offset; else a format error. */
  l2OffsetOf(l1Index: number): number {
    const off = this.l1[l1Index];
    const end = this.allocationEnd();
    if (off !== L2_UNALLOCATED && !this.geometry.validTableOffset(off, end)) {
      throw new QedFormatError(this.name, `l1[${l1Index}]`, `L1 entry ${l1Index} points to an invalid L2 table offset ${off > Number.MAX_SAFE_INTEGER ? (this.hugeL1.get(l1Index) ?? off) : off} (file allocation ends at ${end}); run \`qed-bench check --repair\``);
    }
    return off;
  }
}

function clustersOf(g: Geometry, inCluster: number, len: number): number {
  return Math.ceil((inCluster + len) / g.clusterSize);
}

const sameRun = (run: Run): Run => run;

/** Bytes from `pos` to the end of its table, at most `maxLen`. */
function limitOf(g: Geometry, l2Index: number, inCluster: number, maxLen: number): number {
  return Math.min(maxLen, (g.nelems - l2Index) * g.clusterSize - inCluster);
}
