/** Operations and bytes, for one kind of I/O. */
export interface OpBytes {
  ops: number;
  bytes: number;
}

/** Counters owned by the engine; the cache keeps its own (CacheStats). */
export interface EngineStats {
  requests: { read: number; write: number; zero: number; flush: number; failed: number };
  metadataReads: { header: OpBytes; l1: OpBytes; l2Table: OpBytes };
  metadataWrites: { header: OpBytes; l1: OpBytes; l2Table: OpBytes; l2Sector: OpBytes };
  dataReads: OpBytes;
  dataWrites: OpBytes;
  backingReads: OpBytes;
  fillWrites: OpBytes;
  clustersAllocated: number;
  tablesAllocated: number;
  zeroClustersSet: number;
  allocatingWrites: number;
  allocationWaits: number;
  flushes: number;
  rollbacks: number;
}

const ob = (): OpBytes => ({ ops: 0, bytes: 0 });

export function newEngineStats(): EngineStats {
  return {
    requests: { read: 0, write: 0, zero: 0, flush: 0, failed: 0 },
    metadataReads: { header: ob(), l1: ob(), l2Table: ob() },
    metadataWrites: { header: ob(), l1: ob(), l2Table: ob(), l2Sector: ob() },
    dataReads: ob(),
    dataWrites: ob(),
    backingReads: ob(),
    fillWrites: ob(),
    clustersAllocated: 0,
    tablesAllocated: 0,
    zeroClustersSet: 0,
    allocatingWrites: 0,
    allocationWaits: 0,
    flushes: 0,
    rollbacks: 0,
  };
}

export function count(c: OpBytes, bytes: number): void {
  c.ops++;
  c.bytes += bytes;
}
