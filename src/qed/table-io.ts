/** L2 and L1 table I/O: load a table through the cache, write a new one, update sectors in place. */
import type { L2Cache, CacheEntry } from '../cache/l2-cache.js';
import type { TableAccessOp } from '../cache/table-access.js';
import type { BlockBackend, Origin } from '../io/backend.js';
import { L2_UNALLOCATED, L2_ZERO, type Geometry } from './format.js';
import { KeyedFifoLock } from './keyed-lock.js';
import { L2Table } from './l2-table.js';
import { count, type EngineStats } from './stats.js';
import { encodeEntries, sectorSpan, type Table } from './table.js';

export type { TableAccessOp };
/** `new`: a table the engine just allocated, committed without a lookup. */
export type TableAccessListener = (tableOffset: number, kind: 'hit' | 'miss' | 'new', op: TableAccessOp) => void;

/**
 * QEMU's qed-table.c for this engine: the L2 cache's loads and the table writes, with the
 * metadata counters. Tables are kept raw (L2Table): a load reads into a buffer an evicted table
 * left, an update writes a slice of the cached bytes.
 */
export class TableIo {
  /** One writer per 512-byte L1 sector at a time, keyed by the sector's first entry (writeL1Entry). */
  private readonly l1Locks = new KeyedFifoLock();
  /** One sector updater per L2 table at a time, keyed by the table's offset (update). */
  private readonly l2Locks = new KeyedFifoLock();
  /**
   * Per table offset: the update whose sector write is in flight after `published` (one at a time
   * per table), and a promise of whether it landed (false: it failed and its entries were undone).
   */
  private readonly inFlightUpdates = new Map<number, { l2Index: number; n: number; landed: Promise<boolean> }>();
  /**
   * Told of every L2 table access in order: each cache lookup (hit or miss) and each new table
   * put straight into the cache. For miss-ratio curves and trace export; null costs nothing.
   */
  onTableAccess: TableAccessListener | null = null;

  constructor(
    private readonly io: BlockBackend,
    private readonly geometry: Geometry,
    readonly cache: L2Cache<L2Table>,
    private readonly stats: EngineStats,
    private readonly l1: Table,
    private readonly l1TableOffset: number,
  ) {}

  /**
   * `then` of the L2 table at `offset`, with a reference for the caller: on a hit at once (no
   * promise: the deterministic scheduler's canonical order makes the hop count irrelevant), else a
   * promise of it once loaded from disk (`then` runs in the load's own reaction: one promise per
   * miss, not one more per caller). Throws (at once) what the access listener throws.
   */
  load<R>(offset: number, op: TableAccessOp, origin: Origin | undefined, then: (entry: CacheEntry<L2Table>) => R): R | Promise<R> {
    const hit = this.find(offset, op);
    return hit ? then(hit) : this.loadMissed(offset, origin, then);
  }

  /**
   * load's lookup alone: the cached table with a reference for the caller, or undefined on a
   * miss (the caller then calls loadMissed; no continuation is made for a hit). Throws (at once)
   * what the access listener throws.
   */
  find(offset: number, op: TableAccessOp): CacheEntry<L2Table> | undefined {
    const hit = this.cache.find(offset);
    if (this.onTableAccess) {
      try {
        this.onTableAccess(offset, hit ? 'hit' : 'miss', op);
      } catch (err) {
        if (hit) this.cache.unref(hit); // a throwing listener must not leak the hit's reference
        throw err;
      }
    }
    return hit;
  }

  /**
   * A miss: read straight into a buffer an evicted table left (no decode: the bytes are the
   * table). `fail`, if given, takes a failure (of the read or of `then`) instead of a rejection.
   */
  loadMissed<R>(offset: number, origin: Origin | undefined, then: (entry: CacheEntry<L2Table>) => R, fail?: (err: unknown) => Promise<never>): Promise<Awaited<R>> {
    const table = this.buffer(offset);
    this.cache.beginLoad(offset);
    let read: Promise<void>;
    try {
      read = this.io.readSparse ? this.io.readSparse(table, offset, 'l2_load', origin) : this.io.read(table.bytes, offset, 'l2_load', origin).then(() => table.markAll());
    } catch (err) {
      this.cache.endLoad(offset);
      return fail ? fail(err) : Promise.reject(err);
    }
    // A `then` that returns a promise is adopted (a read's data read): the caller gets its result.
    return read.then<Awaited<R>>(
      () => {
        this.cache.endLoad(offset);
        count(this.stats.metadataReads.l2Table, table.bytes.length);
        const entry = this.cache.commitAcquire(offset, table);
        if (!fail) return then(entry) as Awaited<R>;
        try {
          return then(entry) as Awaited<R>;
        } catch (err) {
          return fail(err);
        }
      },
      (err: unknown) => {
        this.cache.endLoad(offset);
        if (fail) return fail(err);
        throw err;
      },
    );
  }

  /**
   * loadMissed by callback, on a device with readSparseThen (the deterministic scheduler's):
   * `then` of the entry (with a reference), or of null and the error, from the step that
   * completes the load. Only the read's failure comes as an error; what `then` throws is its own.
   */
  loadMissedThen(offset: number, origin: Origin | undefined, then: (entry: CacheEntry<L2Table> | null, err: unknown) => void): void {
    const table = this.buffer(offset);
    this.cache.beginLoad(offset);
    this.io.readSparseThen!(table, offset, 'l2_load', origin, (err) => {
      this.cache.endLoad(offset);
      if (err) return then(null, err);
      count(this.stats.metadataReads.l2Table, table.bytes.length);
      then(this.cache.commitAcquire(offset, table), null);
    });
  }

  /** A fresh, all-unallocated table to fill and write with writeNew. */
  blank(): L2Table {
    const table = this.buffer();
    table.clear();
    return table;
  }

  /** A table buffer: one an evicted table left (the table at `offset`'s own, if kept), else a new one. */
  private buffer(offset?: number): L2Table {
    return this.cache.spare(offset) ?? new L2Table(this.geometry.tableBytes);
  }

  /** Write a new table whole at `tableOffset`; `commit` then puts it in the cache. */
  async writeNew(table: L2Table, tableOffset: number, origin?: Origin): Promise<void> {
    await this.io.write(table.bytes, tableOffset, 'l2_update', origin);
    count(this.stats.metadataWrites.l2Table, this.geometry.tableBytes);
  }

  commit(table: L2Table, tableOffset: number, op: TableAccessOp): void {
    this.cache.commit(this.cache.alloc(tableOffset, table));
    this.onTableAccess?.(tableOffset, 'new', op);
  }

  /**
   * Set entries [l2Index, l2Index + n) of a cached table and write the sectors that hold them;
   * undo on failure. The caller holds the table's allocation lock until `published` (called once
   * the entries are set in memory, before their write is issued): from there the next allocating
   * write may look up and write its data while this sector write is in flight, which halves the
   * round trips of a run of allocations. The sector writes of one table still go one at a time
   * (the table's update lock), each issued from the cached bytes with only entries whose data is
   * written, so none can land out of order or carry an entry before its data. The caller's
   * reference keeps the buffer from reuse until the write is done.
   */
  async update(entry: CacheEntry<L2Table>, l2Index: number, n: number, value: number, published: () => void = () => {}, origin?: Origin): Promise<void> {
    await this.l2Locks.with(entry.offset, async () => {
      const table = entry.table;
      const old = table.slice(l2Index, n).slice();
      setEntries(table, l2Index, n, value, this.geometry.clusterSize);
      const span = sectorSpan(l2Index, n);
      const write = this.io.write(table.slice(span.first, span.count), entry.offset + span.byteOffset, 'l2_update', origin);
      let settle!: (landed: boolean) => void;
      const pending = { l2Index, n, landed: new Promise<boolean>((r) => (settle = r)) };
      this.inFlightUpdates.set(entry.offset, pending);
      published();
      try {
        await write;
        count(this.stats.metadataWrites.l2Sector, span.count * 8);
        settle(true);
      } catch (err) {
        table.forget();
        table.bytes.set(old, l2Index * 8);
        this.stats.rollbacks++;
        settle(false); // after the undo: a waiter then sees the entries as they stay
        throw err;
      } finally {
        if (this.inFlightUpdates.get(entry.offset) === pending) this.inFlightUpdates.delete(entry.offset);
      }
    });
  }

  /**
   * Whether entries [l2Index, l2Index + n) of the table at `tableOffset` were set by an update
   * whose sector write is still in flight: the promise says if it landed (undefined: none is).
   * A write into such a cluster may not complete before the mapping it relies on is written.
   */
  updateInFlight(tableOffset: number, l2Index: number, n: number): Promise<boolean> | undefined {
    const u = this.inFlightUpdates.get(tableOffset);
    return u && l2Index < u.l2Index + u.n && u.l2Index < l2Index + n ? u.landed : undefined;
  }

  /**
   * Point L1 entry `l1Index` at a table and write its 512-byte sector, holding the sector's
   * lock: the sector is encoded from the in-memory L1 when its write is issued, so two writers
   * of one sector in flight together could land out of order and the older image would drop
   * the newer entry. Under the lock they go one at a time. The entry is set only under the
   * lock, so a failed write's entry is cleared before the next writer encodes the sector.
   */
  async writeL1Entry(l1Index: number, tableOffset: number, origin?: Origin): Promise<void> {
    const span = sectorSpan(l1Index, 1);
    await this.l1Locks.with(span.first, async () => {
      this.l1[l1Index] = tableOffset;
      try {
        await this.io.write(encodeEntries(this.l1, span.first, span.count), this.l1TableOffset + span.byteOffset, 'l1_update', origin);
        count(this.stats.metadataWrites.l1, span.count * 8);
      } catch (err) {
        this.l1[l1Index] = L2_UNALLOCATED;
        this.stats.rollbacks++;
        throw err;
      }
    });
  }
}

/** Entries [index, index + n): zero clusters, or consecutive data clusters from `value`. */
export function setEntries(t: L2Table, index: number, n: number, value: number, clusterSize: number): void {
  for (let i = 0; i < n; i++) t.set(index + i, value === L2_ZERO ? L2_ZERO : value + i * clusterSize);
}
