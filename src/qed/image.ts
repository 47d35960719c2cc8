import type { BlockBackend } from '../io/backend.js';
import { L2Cache, type CacheEntry, type CacheStats } from '../cache/l2-cache.js';
import { createPolicy } from '../cache/policies/index.js';
import type { BackingDevice } from './backing.js';
import { readClipped } from './backing.js';
import { QedFormatError, QedUsageError } from './errors.js';
import {
  F_BACKING_FILE,
  F_NEED_CHECK,
  Geometry,
  HEADER_BYTES,
  L2_UNALLOCATED,
  L2_ZERO,
  SECTOR,
  maxImageSize,
  parseHeader,
  serializeHeader,
  validateHeader,
  type QedHeader,
} from './format.js';
import { KeyedFifoLock } from './keyed-lock.js';
import { FifoMutex } from './mutex.js';
import { count, newEngineStats, type EngineStats } from './stats.js';
import { decodeTable, encodeEntries, sectorSpan, type Table } from './table.js';
import { runCheck, type CheckResult } from './check.js';

export const DEFAULT_CACHE_SIZE = 50;
/**
 * serial: one allocating write at a time (QEMU's queue). parallel: allocating writes under
 * different L1 entries run together; those under one L1 entry still queue. See docs/engine.md.
 */
export const ALLOCATION_MODES = ['serial', 'parallel'] as const;
export type AllocationMode = (typeof ALLOCATION_MODES)[number];
export const DEFAULT_ALLOCATION: AllocationMode = 'serial';
const NEED_CHECK = BigInt(F_NEED_CHECK);
const ZERO_CHUNK = 1 << 20;

/** Zeros written as data (partial clusters), or whole clusters marked zero in the L2 table. */
type ZeroMode = 'zero-fill' | 'zero-clusters';

export interface OpenOptions {
  readOnly?: boolean;
  /** L2 cache capacity in tables (QEMU: 50). */
  cacheSize?: number;
  /** Eviction policy name (see cache/policies). */
  cachePolicy?: string;
  /**
   * Opens the backing file named in the header. Without it an image with a backing file
   * cannot be opened (the file-level opener in open.ts supplies one).
   */
  openBacking?: (name: string, format: 'raw' | 'qed' | 'probe') => Promise<BackingDevice>;
  /** Run check-and-repair on a writable open when need-check is set (default true, as QEMU). */
  repairOnOpen?: boolean;
  /** How allocating writes queue (default serial, as QEMU). */
  allocation?: AllocationMode;
}

/** What one lookup found: a run of clusters of one kind inside one L2 table. */
interface Run {
  kind: 'data' | 'zero' | 'unallocated';
  /** Host offset of `pos` for data runs. */
  host: number;
  /** Bytes from `pos` covered by this run. */
  len: number;
  /** The L2 table, referenced for the caller; null when the L1 entry is empty. */
  entry: CacheEntry<Table> | null;
  l1Index: number;
  l2Index: number;
  /** Clusters the run covers (from the cluster holding `pos`). */
  clusters: number;
  /** The request kind that looked it up (for onTableAccess). */
  op: TableAccessOp;
}

export type TableAccessOp = 'read' | 'write' | 'zero' | 'map';
/** `new`: a table the engine just allocated, committed without a lookup. */
export type TableAccessListener = (tableOffset: number, kind: 'hit' | 'miss' | 'new', op: TableAccessOp) => void;

/**
 * An open QED image. Any number of requests may be in flight; allocating writes queue (one
 * queue in serial mode, as QEMU; one per L1 entry in parallel mode), overwrites of allocated
 * clusters and reads run in parallel. Each request holds its L2 table reference from lookup
 * through data I/O and the L2/L1 update.
 *
 * Why parallel allocation is safe, resource by resource (docs/engine.md says it at length):
 * - L2 table entries: only allocating writes change them, and all allocating writes to one
 *   table hold that table's L1-entry lock, so one table has one writer; its sector writes and
 *   rollbacks are ordered as in serial mode.
 * - fileEnd: reserved by a synchronous bump, so two reservations never overlap; a failed write
 *   never gives its clusters back (they leak, as in serial mode), so no rollback has to know
 *   whether it was the last allocation. Nothing is ever reused, which also makes a table
 *   cached under an offset that a rolled-back L1 entry no longer names harmless.
 * - The L1 table: writers of one 512-byte L1 sector take that sector's lock, set their entry
 *   and write the sector from memory under it, so sector images land in the order they were
 *   made and a newer one is never overwritten by an older one (the scheduler reorders
 *   concurrent writes). A failed write clears its entry before the next writer encodes.
 * - The header: every header update takes the header lock; the first allocating writes share
 *   one need-check update (later ones wait for it to be flushed), and the flush-at-idle clear
 *   counts every allocating write holding or waiting for any lock.
 * - The L2 cache: synchronous, reference-counted; different tables share nothing.
 */
export class QedImage implements BackingDevice {
  readonly geometry: Geometry;
  readonly cache: L2Cache<Table>;
  readonly stats: EngineStats = newEngineStats();
  /** Serial mode: the one queue of allocating writes (a plain mutex: no map work per write). */
  private readonly allocLock = new FifoMutex();
  /** Parallel mode: allocating writes queue by L1 index. */
  private readonly allocLocks = new KeyedFifoLock();
  /** One writer per 512-byte L1 sector at a time, keyed by the sector's first entry (writeL1Entry). */
  private readonly l1Locks = new KeyedFifoLock();
  /** Header updates one at a time: each writes the whole in-memory header. */
  private readonly headerLock = new FifoMutex();
  /** Allocating writes holding or waiting for an allocation lock. */
  private allocating = 0;
  /** Allocating writes ever started (flush-at-idle compares it before and after its flush). */
  private allocStarts = 0;
  /** need-check is set in a header that a completed flush made durable. */
  private needCheckDurable: boolean;
  private closed = false;
  /**
   * Told of every L2 table access in order: each cache lookup (hit or miss) and each new table
   * put straight into the cache. For miss-ratio curves and trace export; null costs nothing.
   */
  onTableAccess: TableAccessListener | null = null;
  /** End of the allocated area: where the next cluster goes. */
  private fileEnd: number;

  private constructor(
    readonly io: BlockBackend,
    readonly header: QedHeader,
    readonly l1: Table,
    fileLength: number,
    readonly backing: BackingDevice | null,
    readonly backingName: string | null,
    readonly readOnly: boolean,
    cacheSize: number,
    cachePolicy: string,
    readonly allocation: AllocationMode,
  ) {
    this.geometry = new Geometry(header.clusterSize, header.tableSize, header.headerSize);
    this.fileEnd = this.geometry.clusterFloor(fileLength);
    this.cache = new L2Cache<Table>(cacheSize, createPolicy(cachePolicy));
    this.needCheckDurable = (header.features & NEED_CHECK) !== 0n;
  }

  static async open(io: BlockBackend, opts: OpenOptions = {}): Promise<QedImage> {
    const readOnly = opts.readOnly ?? io.readOnly;
    const fileLength = await io.size();
    if (fileLength < HEADER_BYTES) {
      throw new QedFormatError(io.name, 'header', `file is ${fileLength} bytes, shorter than the 64-byte QED header (truncated or not a QED image)`);
    }
    const hbuf = new Uint8Array(HEADER_BYTES);
    await io.read(hbuf, 0, 'header_read');
    const header = parseHeader(hbuf);
    validateHeader(header, io.name, fileLength);
    const g = new Geometry(header.clusterSize, header.tableSize, header.headerSize);

    let backingName: string | null = null;
    let backing: BackingDevice | null = null;
    if (header.features & BigInt(F_BACKING_FILE) && header.backingFilenameSize > 0) {
      const nbuf = new Uint8Array(header.backingFilenameSize);
      await io.read(nbuf, header.backingFilenameOffset, 'header_read');
      backingName = new TextDecoder().decode(nbuf);
      if (!opts.openBacking) {
        throw new QedFormatError(io.name, 'backing_file', `image has backing file "${backingName}" but no way to open it was given`);
      }
      const format = header.features & 0x4n ? 'raw' : 'probe';
      backing = await opts.openBacking(backingName, format);
    }

    try {
      return await QedImage.finishOpen(io, header, g, fileLength, backing, backingName, readOnly, opts);
    } catch (err) {
      await backing?.close(); // the caller closes `io`; the backing file is ours
      throw err;
    }
  }

  /** Load the L1 table, build the image, and do a writable open's header duties. */
  private static async finishOpen(
    io: BlockBackend,
    header: QedHeader,
    g: Geometry,
    fileLength: number,
    backing: BackingDevice | null,
    backingName: string | null,
    readOnly: boolean,
    opts: OpenOptions,
  ): Promise<QedImage> {
    const l1buf = new Uint8Array(g.tableBytes);
    await io.read(l1buf, header.l1TableOffset, 'l1_load');
    const img = new QedImage(
      io,
      header,
      decodeTable(l1buf),
      fileLength,
      backing,
      backingName,
      readOnly,
      opts.cacheSize ?? DEFAULT_CACHE_SIZE,
      opts.cachePolicy ?? 'fifo',
      opts.allocation ?? DEFAULT_ALLOCATION,
    );
    count(img.stats.metadataReads.header, HEADER_BYTES);
    count(img.stats.metadataReads.l1, g.tableBytes);

    if (!readOnly) {
      if (header.autoclearFeatures !== 0n) {
        // No autoclear feature is defined: clear them all so their owners know we touched the image.
        header.autoclearFeatures = 0n;
        await img.writeHeader();
      }
      if (header.features & BigInt(F_NEED_CHECK) && (opts.repairOnOpen ?? true)) {
        await img.check({ repair: true });
      }
    }
    return img;
  }

  get size(): number {
    return this.header.imageSize;
  }

  get description(): string {
    return `${this.io.name} (qed)`;
  }

  get needsCheck(): boolean {
    return (this.header.features & NEED_CHECK) !== 0n;
  }

  /** Allocating writes holding or waiting for an allocation lock now. */
  get allocationsPending(): number {
    return this.allocating;
  }

  /** Where the next allocation goes (bytes); grows as clusters are allocated. */
  get allocationEnd(): number {
    return this.fileEnd;
  }

  cacheStats(): CacheStats {
    return this.cache.stats();
  }

  // ---- reads -------------------------------------------------------------------------

  async read(buf: Uint8Array, offset: number): Promise<void> {
    this.assertRange(offset, buf.length);
    this.stats.requests.read++;
    await this.request(async () => {
      let done = 0;
      while (done < buf.length) {
        const run = await this.lookup(offset + done, buf.length - done, 'read');
        try {
          await this.readRun(run, buf.subarray(done, done + run.len), offset + done);
        } finally {
          this.release(run);
        }
        done += run.len;
      }
    });
  }

  /** Count a request's failure and its completion (for requests completed over capacity). */
  private async request(body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (err) {
      this.stats.requests.failed++;
      throw err;
    } finally {
      this.cache.requestCompleted();
    }
  }

  private async readRun(run: Run, dst: Uint8Array, pos: number): Promise<void> {
    if (run.kind === 'data') {
      await this.io.read(dst, run.host, 'read_aio');
      count(this.stats.dataReads, dst.length);
    } else if (run.kind === 'unallocated' && this.backing) {
      await this.readBacking(dst, pos);
    } else {
      dst.fill(0);
    }
  }

  private async readBacking(dst: Uint8Array, pos: number): Promise<void> {
    const b = this.backing!;
    await readClipped(dst, pos, b.size, (d, o) => b.read(d, o));
    count(this.stats.backingReads, dst.length);
  }

  // ---- writes ------------------------------------------------------------------------

  async write(buf: Uint8Array, offset: number): Promise<void> {
    this.assertWritable();
    this.assertRange(offset, buf.length);
    this.stats.requests.write++;
    await this.request(() => this.eachChunk(offset, buf.length, buf));
  }

  /**
   * Zero a range. Whole unallocated clusters become zero clusters (no data written);
   * allocated clusters are overwritten with zeros; partial clusters go through write.
   */
  async writeZeroes(offset: number, length: number): Promise<void> {
    this.assertWritable();
    this.assertRange(offset, length);
    this.stats.requests.zero++;
    const end = offset + length;
    const a = Math.min(this.geometry.clusterCeil(offset), end);
    const b = Math.max(this.geometry.clusterFloor(end), a);
    await this.request(async () => {
      if (a > offset) await this.eachChunk(offset, a - offset, 'zero-fill');
      if (b > a) await this.eachChunk(a, b - a, 'zero-clusters');
      if (end > b) await this.eachChunk(b, end - b, 'zero-fill');
    });
  }

  /**
   * The write loop: look up a run, write in place if allocated, else take the allocation
   * lock of its L1 entry (of the image in serial mode), look up again (another request may
   * have allocated meanwhile) and allocate. A run lies in one L2 table, so a request holds
   * one allocation lock at a time and cannot deadlock.
   * `src` is the data, or zeros written as data, or zero clusters (whole clusters only).
   */
  private async eachChunk(offset: number, length: number, src: Uint8Array | ZeroMode): Promise<void> {
    const bytes = (done: number, len: number): Uint8Array =>
      typeof src === 'string' ? new Uint8Array(len) : src.subarray(done, done + len);
    const op = typeof src === 'string' ? 'zero' : 'write';
    let done = 0;
    while (done < length) {
      const pos = offset + done;
      let run = await this.lookup(pos, length - done, op);
      if (run.kind === 'data' || this.zeroingChangesNothing(run, src)) {
        if (run.kind === 'data') await this.inPlace(run, typeof src === 'string' ? null : bytes(done, run.len));
        else this.release(run);
        done += run.len;
        continue;
      }
      // QEMU keeps the table reference while the request waits in the allocation queue.
      const serial = this.allocation === 'serial';
      const key = run.l1Index;
      // In serial mode every allocating write holds or waits for the one lock: busy iff any is counted.
      if (serial ? this.allocating > 0 : this.allocLocks.busy(key)) this.stats.allocationWaits++;
      this.allocating++;
      this.allocStarts++;
      if (serial) await this.allocLock.acquire();
      else await this.allocLocks.acquire(key);
      try {
        this.release(run);
        run = await this.lookup(pos, length - done, op);
        if (run.kind === 'data') await this.inPlace(run, typeof src === 'string' ? null : bytes(done, run.len));
        else if (this.zeroingChangesNothing(run, src)) this.release(run);
        else await this.allocate(run, pos, src === 'zero-clusters' ? null : bytes(done, run.len));
      } finally {
        this.allocating--;
        if (serial) this.allocLock.release();
        else this.allocLocks.release(key);
      }
      done += run.len;
    }
  }

  /** Overwrite allocated clusters in place (`data` null: zeros, in bounded pieces). */
  private async inPlace(run: Run, data: Uint8Array | null): Promise<void> {
    try {
      if (data) {
        await this.io.write(data, run.host, 'write_aio');
      } else {
        const zeros = new Uint8Array(Math.min(run.len, ZERO_CHUNK));
        for (let done = 0; done < run.len; done += zeros.length) {
          const n = Math.min(zeros.length, run.len - done);
          await this.io.write(zeros.subarray(0, n), run.host + done, 'write_aio');
        }
      }
      count(this.stats.dataWrites, run.len);
    } finally {
      this.release(run);
    }
  }

  /**
   * An allocating write in QEMU's order: need-check (which we also flush, unlike QEMU, so a
   * power cut cannot leave an L2 entry past the end of file with need-check lost), data
   * clusters appended with full fill,
   * (flush if there is a backing file), then the L2 sectors, or a new L2 table + flush + L1.
   * `data` null makes zero clusters instead. The caller holds the allocation lock of the
   * run's L1 entry; `run` holds the table reference, released here.
   */
  private async allocate(run: Run, pos: number, data: Uint8Array | null): Promise<void> {
    const g = this.geometry;
    try {
      this.stats.allocatingWrites++;
      // Checked here, not only inside: once need-check is durable (nearly always) no async call.
      if (!this.backing && !this.needCheckDurable) await this.ensureNeedCheck();
      let value: number; // first new L2 entry value; data clusters count up from it
      if (data) {
        // Reserved synchronously: a concurrent allocation gets the next range; never given back.
        value = this.fileEnd;
        this.fileEnd += run.clusters * g.clusterSize;
        this.stats.clustersAllocated += run.clusters;
        await this.writeNewClusters(run, pos, data, value);
        if (this.backing) await this.flushFile();
      } else {
        value = L2_ZERO;
        this.stats.zeroClustersSet += run.clusters;
      }
      if (run.entry) await this.updateL2(run, value);
      else await this.newL2(run, value);
    } finally {
      this.release(run);
    }
  }

  /**
   * need-check set and flushed before any allocating write goes on. Concurrent first writers
   * share one update: the others wait on the header lock, then find it durable.
   */
  private async ensureNeedCheck(): Promise<void> {
    if (this.needCheckDurable) return;
    await this.headerLock.with(async () => {
      if (this.needCheckDurable) return;
      this.header.features |= NEED_CHECK;
      await this.writeHeader();
      await this.flushFile();
      this.needCheckDurable = true;
    });
  }

  /**
   * Whole clusters that are already zero clusters need nothing (QEMU skips them too). Partial
   * zero-fills allocate like any write, as QEMU's fallback to a zero buffer does.
   */
  private zeroingChangesNothing(run: Run, src: Uint8Array | ZeroMode): boolean {
    return src === 'zero-clusters' && run.kind === 'zero';
  }

  private release(run: Run): void {
    if (run.entry) this.cache.unref(run.entry);
  }

  /** Write fresh clusters whole: front fill, data, back fill (zeros or backing data). */
  private async writeNewClusters(run: Run, pos: number, data: Uint8Array, host: number): Promise<void> {
    const g = this.geometry;
    const start = g.clusterFloor(pos);
    const front = pos - start;
    const back = run.clusters * g.clusterSize - front - data.length;
    const writes: Promise<void>[] = [this.io.write(data, host + front, 'write_aio')];
    count(this.stats.dataWrites, data.length);
    if (front > 0) writes.push(this.fill(run, start, front, host));
    if (back > 0) writes.push(this.fill(run, pos + data.length, back, host + front + data.length));
    await Promise.all(writes);
  }

  private async fill(run: Run, vpos: number, len: number, host: number): Promise<void> {
    const buf = new Uint8Array(len);
    // A zero cluster's untouched part stays zero; only unallocated clusters show the backing file.
    if (run.kind === 'unallocated' && this.backing) await this.readBacking(buf, vpos);
    await this.io.write(buf, host, 'cow_write');
    count(this.stats.fillWrites, len);
  }

  /**
   * Set entries in an existing table and write the sectors that hold them; undo on failure.
   * The caller holds the table's allocation lock, so no other writer changed these entries
   * since `old` was taken, and this table's sector writes go out one at a time.
   */
  private async updateL2(run: Run, value: number): Promise<void> {
    const table = run.entry!.table;
    const old = table.slice(run.l2Index, run.l2Index + run.clusters);
    setEntries(table, run.l2Index, run.clusters, value, this.geometry.clusterSize);
    const span = sectorSpan(run.l2Index, run.clusters);
    try {
      await this.io.write(encodeEntries(table, span.first, span.count), run.entry!.offset + span.byteOffset, 'l2_update');
      count(this.stats.metadataWrites.l2Sector, span.count * 8);
    } catch (err) {
      table.set(old, run.l2Index);
      this.stats.rollbacks++;
      throw err;
    }
  }

  /** A new L2 table after the data: write it whole, flush, then the L1 sector; commit to the cache. */
  private async newL2(run: Run, value: number): Promise<void> {
    const g = this.geometry;
    const tableOffset = this.fileEnd; // reserved synchronously, like data clusters
    this.fileEnd += g.tableBytes;
    this.stats.tablesAllocated++;
    const table: Table = new Float64Array(g.nelems);
    setEntries(table, run.l2Index, run.clusters, value, g.clusterSize);
    await this.io.write(encodeEntries(table, 0, g.nelems), tableOffset, 'l2_update');
    count(this.stats.metadataWrites.l2Table, g.tableBytes);
    await this.flushFile();
    await this.writeL1Entry(run.l1Index, tableOffset);
    this.cache.commit(this.cache.alloc(tableOffset, table));
    this.onTableAccess?.(tableOffset, 'new', run.op);
  }

  /**
   * Point L1 entry `l1Index` at a table and write its 512-byte sector, holding the sector's
   * lock: the sector is encoded from the in-memory L1 when its write is issued, so two writers
   * of one sector in flight together could land out of order and the older image would drop
   * the newer entry. Under the lock they go one at a time. The entry is set only under the
   * lock, so a failed write's entry is cleared before the next writer encodes the sector.
   */
  private async writeL1Entry(l1Index: number, tableOffset: number): Promise<void> {
    const span = sectorSpan(l1Index, 1);
    await this.l1Locks.with(span.first, async () => {
      this.l1[l1Index] = tableOffset;
      try {
        await this.io.write(encodeEntries(this.l1, span.first, span.count), this.header.l1TableOffset + span.byteOffset, 'l1_update');
        count(this.stats.metadataWrites.l1, span.count * 8);
      } catch (err) {
        this.l1[l1Index] = L2_UNALLOCATED;
        this.stats.rollbacks++;
        throw err;
      }
    });
  }

  // ---- lookup ------------------------------------------------------------------------

  /** Find the run of same-kind clusters at `pos`, at most `maxLen` bytes, inside one L2 table. */
  private async lookup(pos: number, maxLen: number, op: TableAccessOp): Promise<Run> {
    const g = this.geometry;
    const l1Index = g.l1Index(pos);
    const l2Index = g.l2Index(pos);
    const inCluster = g.offsetInCluster(pos);
    const limit = Math.min(maxLen, (g.nelems - l2Index) * g.clusterSize - inCluster);
    const l2Offset = this.l2OffsetOf(l1Index);
    if (l2Offset === L2_UNALLOCATED) {
      return { kind: 'unallocated', host: 0, len: limit, entry: null, l1Index, l2Index, clusters: clustersOf(g, inCluster, limit), op };
    }
    const entry = await this.loadL2(l2Offset, op);
    const t = entry.table;
    const first = t[l2Index];
    const maxClusters = clustersOf(g, inCluster, limit);
    let n = 1;
    if (first === L2_UNALLOCATED || first === L2_ZERO) {
      while (n < maxClusters && t[l2Index + n] === first) n++;
    } else {
      if (!g.validClusterOffset(first, this.fileEnd)) {
        this.cache.unref(entry);
        throw new QedFormatError(this.io.name, `l2[${l2Offset}][${l2Index}]`, `L2 table at ${l2Offset} entry ${l2Index} points to an invalid cluster offset ${first} (file allocation ends at ${this.fileEnd}); run \`qed-bench check --repair\``);
      }
      while (n < maxClusters && t[l2Index + n] === first + n * g.clusterSize) n++;
    }
    const kind = first === L2_UNALLOCATED ? 'unallocated' : first === L2_ZERO ? 'zero' : 'data';
    const len = Math.min(limit, n * g.clusterSize - inCluster);
    return { kind, host: kind === 'data' ? first + inCluster : 0, len, entry, l1Index, l2Index, clusters: n, op };
  }

  /** A copy of the L2 table for L1 entry `l1Index` (null if none), for the allocation map. */
  async l2TableForMap(l1Index: number): Promise<Table | null> {
    this.assertOpen();
    const off = this.l2OffsetOf(l1Index);
    if (off === L2_UNALLOCATED) return null;
    const entry = await this.loadL2(off, 'map');
    const copy = entry.table.slice();
    this.cache.unref(entry);
    return copy;
  }

  /** The L1 entry, checked: 0 (no table) or a valid table offset; else a format error. */
  private l2OffsetOf(l1Index: number): number {
    const off = this.l1[l1Index];
    if (off !== L2_UNALLOCATED && !this.geometry.validTableOffset(off, this.fileEnd)) {
      throw new QedFormatError(this.io.name, `l1[${l1Index}]`, `L1 entry ${l1Index} points to an invalid L2 table offset ${off} (file allocation ends at ${this.fileEnd}); run \`qed-bench check --repair\``);
    }
    return off;
  }

  /** The L2 table at `offset` with a reference for the caller: from the cache or from disk. */
  private async loadL2(offset: number, op: TableAccessOp): Promise<CacheEntry<Table>> {
    const hit = this.cache.find(offset);
    if (this.onTableAccess) {
      try {
        this.onTableAccess(offset, hit ? 'hit' : 'miss', op);
      } catch (err) {
        if (hit) this.cache.unref(hit); // a throwing listener must not leak the hit's reference
        throw err;
      }
    }
    if (hit) return hit;
    const buf = new Uint8Array(this.geometry.tableBytes);
    this.cache.beginLoad(offset);
    try {
      await this.io.read(buf, offset, 'l2_load');
    } finally {
      this.cache.endLoad(offset);
    }
    count(this.stats.metadataReads.l2Table, buf.length);
    this.cache.commit(this.cache.alloc(offset, decodeTable(buf)));
    return this.cache.acquire(offset);
  }

  // ---- flush, grow, close, check -----------------------------------------------------

  /**
   * Flush; at idle also clear need-check, as QEMU's timer does. Idle means no allocating write
   * held or waited for any allocation lock when the flush was issued and none started before it
   * completed: then every allocating write's metadata is covered by this flush (one that was in
   * flight could have issued its L2 update after the flush began).
   */
  async flush(): Promise<void> {
    this.assertOpen();
    this.stats.requests.flush++;
    const idleBefore = this.allocating === 0;
    const startsBefore = this.allocStarts;
    await this.flushFile();
    if (this.readOnly || !this.needsCheck || !idleBefore) return;
    await this.headerLock.with(async () => {
      if (!this.needsCheck || this.allocStarts !== startsBefore) return;
      // An allocating write starting from here on waits on the header lock and sets it again.
      this.header.features &= ~NEED_CHECK;
      this.needCheckDurable = false;
      await this.writeHeader();
      await this.flushFile();
    });
  }

  /** Grow the virtual size (QED cannot shrink). */
  async grow(newSize: number): Promise<void> {
    this.assertWritable();
    const max = maxImageSize(this.header.clusterSize, this.header.tableSize);
    if (!Number.isInteger(newSize) || newSize % SECTOR !== 0 || newSize < this.header.imageSize || newSize > max) {
      throw new QedUsageError(`${this.io.name}: cannot resize to ${newSize} bytes: the new size must be a multiple of 512, at least the current ${this.header.imageSize} (QED only grows) and at most ${max}`);
    }
    await this.headerLock.with(async () => {
      const old = this.header.imageSize;
      this.header.imageSize = newSize;
      try {
        await this.writeHeader();
      } catch (err) {
        this.header.imageSize = old;
        throw err;
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (!this.readOnly) await this.flush();
    this.closed = true;
    this.cache.clear();
    await this.backing?.close();
    await this.io.close();
  }

  /**
   * Consistency check of the image as it is on disk; with repair, fix what can be fixed. Not
   * while writes are in flight: it reads tables that allocating writes may be updating.
   */
  async check(opts: { repair?: boolean } = {}): Promise<CheckResult> {
    this.assertOpen();
    const repair = opts.repair ?? false;
    if (repair) this.assertWritable();
    // The L1 table as it is on disk, not the in-memory one: an L1 update lost on the way (say,
    // two writers of one L1 sector landing out of order) shows here, as leaks, and not only
    // after a reopen. Run at idle, the two agree; repair fixes the disk copy, which we adopt.
    const buf = new Uint8Array(this.geometry.tableBytes);
    await this.io.read(buf, this.header.l1TableOffset, 'l1_load');
    const l1 = decodeTable(buf);
    const result = await runCheck(
      {
        io: this.io,
        geometry: this.geometry,
        header: this.header,
        l1,
        fileLength: await this.io.size(),
      },
      repair,
    );
    if (repair) {
      this.l1.set(l1);
      if (result.corruptionsFixed > 0) this.cache.clear(); // tables were rewritten on disk
      if (result.corruptions === 0 && result.checkErrors === 0 && this.needsCheck) {
        await this.flushFile();
        await this.headerLock.with(async () => {
          this.header.features &= ~NEED_CHECK;
          this.needCheckDurable = false;
          await this.writeHeader();
          await this.flushFile();
        });
      }
    }
    return result;
  }

  // ---- helpers -----------------------------------------------------------------------

  /** Callers hold the header lock (or run alone, at open): the whole in-memory header is written. */
  private async writeHeader(): Promise<void> {
    await this.io.write(serializeHeader(this.header), 0, 'header_update');
    count(this.stats.metadataWrites.header, HEADER_BYTES);
  }

  private async flushFile(): Promise<void> {
    await this.io.flush('flush_to_disk');
    this.stats.flushes++;
  }

  private assertOpen(): void {
    if (this.closed) throw new QedUsageError(`${this.io.name}: image is closed`);
  }

  private assertWritable(): void {
    this.assertOpen();
    if (this.readOnly) throw new QedUsageError(`${this.io.name}: image is opened read-only`);
  }

  private assertRange(offset: number, length: number): void {
    this.assertOpen();
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > this.header.imageSize) {
      throw new QedUsageError(`${this.io.name}: request at offset ${offset}, length ${length} is outside the image (size ${this.header.imageSize})`);
    }
  }
}

function clustersOf(g: Geometry, inCluster: number, len: number): number {
  return Math.ceil((inCluster + len) / g.clusterSize);
}

/** Entries [index, index + n): zero clusters, or consecutive data clusters from `value`. */
function setEntries(t: Table, index: number, n: number, value: number, clusterSize: number): void {
  for (let i = 0; i < n; i++) t[index + i] = value === L2_ZERO ? L2_ZERO : value + i * clusterSize;
}
