import type { BlockBackend, Done, Origin } from '../io/backend.js';
import { L2Cache, type CacheStats } from '../cache/l2-cache.js';
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
import { allocationQueue, type AllocationQueue } from './alloc-queue.js';
import { FifoMutex } from './mutex.js';
import { count, newEngineStats, type EngineStats } from './stats.js';
import { decodeTable, hugeEntries, type Table } from './table.js';
import type { L2Table } from './l2-table.js';
import { ClusterLookup, type Run } from './cluster-lookup.js';
import { setEntries, TableIo, type TableAccessListener, type TableAccessOp } from './table-io.js';
import { runCheck, type CheckResult } from './check.js';
import { DEFAULT_ALLOCATION, DEFAULT_CACHE_SIZE, DEFAULT_POLICY, type AllocationMode, type L2CacheSettings } from './options.js';
import { sharedZeros } from '../util/zeros.js';

const NEED_CHECK = BigInt(F_NEED_CHECK);
/** What a request done at once returns: one settled promise for all of them (a caller may go on without awaiting it). */
export const DONE: Promise<void> = Promise.resolve();
const ZERO_CHUNK = 1 << 20;

/** Zeros written as data (partial clusters), or whole clusters marked zero in the L2 table. */
type ZeroMode = 'zero-fill' | 'zero-clusters';

export interface OpenOptions {
  readOnly?: boolean;
  /**
   * The L2 table cache: size in tables (QEMU: 50) and eviction policy, each defaulted alone.
   * Not `cache`: FileOpenOptions.cache is the host page-cache mode (writeback|none).
   */
  l2Cache?: Partial<L2CacheSettings>;
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

export type { TableAccessListener, TableAccessOp } from './table-io.js';

/** What open() found in the header and settled from its options, for the constructor. */
interface ImageParts {
  backing: BackingDevice | null;
  backingName: string | null;
  readOnly: boolean;
  l2Cache: L2CacheSettings;
  allocation: AllocationMode;
  /** L1 entries past 2^53 as the file holds them, for the error naming one. */
  hugeL1?: ReadonlyMap<number, bigint>;
}

/**
 * Told where a request's data resolved, as it resolves: a read's run (host 0: unallocated or a
 * zero cluster, nothing read from the image) or the clusters a write puts its data in (in place,
 * or freshly allocated). `host` is the host offset of virtual offset `pos`; the run is contiguous.
 */
export type DataRunListener = (op: 'read' | 'write', pos: number, len: number, host: number) => void;

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
  readonly cache: L2Cache<L2Table>;
  readonly stats: EngineStats = newEngineStats();
  /** Where allocating writes queue (serial: one queue; parallel: one per L1 entry). */
  private readonly allocQueue: AllocationQueue;
  /** Header updates one at a time: each writes the whole in-memory header. */
  private readonly headerLock = new FifoMutex();
  /** Allocating writes holding or waiting for an allocation lock. */
  private allocating = 0;
  /** Allocating writes ever started (flush-at-idle compares it before and after its flush). */
  private allocStarts = 0;
  /** need-check is set in a header that a completed flush made durable. */
  private needCheckDurable: boolean;
  private closed = false;
  /** L2 loads through the cache and table writes (qed-table.c). */
  private readonly tables: TableIo;
  /** Virtual offset to cluster run (qed_find_cluster). */
  private readonly clusters: ClusterLookup;
  /** End of the allocated area: where the next cluster goes. */
  private fileEnd: number;
  readonly backing: BackingDevice | null;
  readonly backingName: string | null;
  readonly readOnly: boolean;
  readonly allocation: AllocationMode;
  /** A metadata-only replay checks every read's mapping with it (mapping-shadow.ts); null costs nothing. */
  onDataRun: DataRunListener | null = null;

  private constructor(
    readonly io: BlockBackend,
    readonly header: QedHeader,
    readonly l1: Table,
    fileLength: number,
    { backing, backingName, readOnly, l2Cache, allocation, hugeL1 }: ImageParts,
  ) {
    this.backing = backing;
    this.backingName = backingName;
    this.readOnly = readOnly;
    this.allocation = allocation;
    this.geometry = new Geometry(header.clusterSize, header.tableSize, header.headerSize);
    this.fileEnd = this.geometry.clusterFloor(fileLength);
    this.cache = new L2Cache<L2Table>(l2Cache.size, createPolicy(l2Cache.policy));
    this.needCheckDurable = (header.features & NEED_CHECK) !== 0n;
    this.allocQueue = allocationQueue(allocation);
    this.tables = new TableIo(io, this.geometry, this.cache, this.stats, l1, header.l1TableOffset);
    this.clusters = new ClusterLookup(io.name, this.geometry, l1, this.tables, () => this.fileEnd, hugeL1);
  }

  /**
   * Told of every L2 table access in order: each cache lookup (hit or miss) and each new table
   * put straight into the cache. For miss-ratio curves and trace export; null costs nothing.
   */
  get onTableAccess(): TableAccessListener | null {
    return this.tables.onTableAccess;
  }

  set onTableAccess(f: TableAccessListener | null) {
    this.tables.onTableAccess = f;
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
    validateHeader(header, io.name, fileLength, hbuf);
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
      {
        backing,
        backingName,
        readOnly,
        hugeL1: hugeEntries(l1buf),
        l2Cache: { size: opts.l2Cache?.size ?? DEFAULT_CACHE_SIZE, policy: opts.l2Cache?.policy ?? DEFAULT_POLICY },
        allocation: opts.allocation ?? DEFAULT_ALLOCATION,
      },
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

  /**
   * `origin` tags every backend request this one makes (the deterministic scheduler orders by it).
   * A read that one run covers takes no async step of its own: its table (if not cached, loaded
   * first), then done at once in a zero or unallocated cluster (no backing file), else one
   * backend read. The deterministic scheduler's canonical order makes the hop count irrelevant.
   * `zeroed`: the caller promises `buf` holds only zeros, so a zero or unallocated run is left as
   * it is (a metadata-only replay's read buffers only ever receive zeros; the fill was about a
   * twentieth of its time).
   */
  read(buf: Uint8Array, offset: number, origin?: Origin, zeroed = false): Promise<void> {
    const run = this.readLookup(buf, offset);
    if (run instanceof Promise) return run;
    // A miss: the rest of the read runs in the table load's own reaction (one promise, not two).
    if (run === null) return this.clusters.loadRun(offset, buf.length, 'read', origin, (r) => this.readFound(buf, offset, origin, r, zeroed), this.readFailedNow);
    return this.readFound(buf, offset, origin, run, zeroed) ?? DONE;
  }

  private readonly readFailedNow = (err: unknown): Promise<never> => this.readFailed(err);

  /** A read counted and its first run looked up: the run, null when its table must be loaded, or the promise of a failure. */
  private readLookup(buf: Uint8Array, offset: number): Run | null | Promise<never> {
    try {
      this.assertRange(offset, buf.length);
    } catch (err) {
      return Promise.reject(err);
    }
    this.stats.requests.read++;
    try {
      return this.clusters.cached(offset, buf.length, 'read');
    } catch (err) {
      return this.readFailed(err);
    }
  }

  /** A read's failure before its first run was read: counted as request() counts one. */
  private readFailed(err: unknown): Promise<never> {
    this.countReadFailed();
    return Promise.reject(err);
  }

  private countReadFailed(): void {
    this.stats.requests.failed++;
    this.cache.requestCompleted();
  }

  /** The rest of a read whose first run (holding its table's reference) was found; undefined when done at once. */
  private readFound(buf: Uint8Array, offset: number, origin: Origin | undefined, run: Run, zeroed: boolean): Promise<void> | undefined {
    const start = this.readStart(buf, offset, origin, run, zeroed);
    if (start !== false) return start === true ? undefined : start; // done: no promise to make, none for a reaction to adopt
    const data = run;
    return this.io.read(buf, data.host, 'read_aio', origin).then(
      () => this.dataReadEnded(data, buf.length, false),
      (err: unknown) => {
        this.dataReadEnded(data, buf.length, true);
        throw err;
      },
    );
  }

  /** A one-run read's data read ended: its table reference dropped, the request counted. */
  private dataReadEnded(run: Run, bytes: number, failed: boolean): void {
    this.release(run);
    if (failed) return this.countReadFailed();
    count(this.stats.dataReads, bytes);
    this.cache.requestCompleted();
  }

  /** readFound up to its data read: true when done at once, false when the data read of `run` is next, else the promise of the rest (or of a failure). */
  private readStart(buf: Uint8Array, offset: number, origin: Origin | undefined, run: Run, zeroed: boolean): Promise<void> | boolean {
    if (run.len !== buf.length || (run.kind === 'unallocated' && this.backing)) return this.readRuns(buf, offset, origin, run, zeroed);
    try {
      this.onDataRun?.('read', offset, run.len, run.kind === 'data' ? run.host : 0);
    } catch (err) {
      return this.readFailed(err);
    }
    if (run.kind === 'data') return false;
    if (!zeroed) buf.fill(0);
    this.release(run);
    this.cache.requestCompleted();
    return true;
  }

  /**
   * read() for a caller that goes on by callback (replay/solo-loop.ts), on a device with readThen
   * (the deterministic scheduler's): true when done at once (read's DONE); false when `done` is
   * called later, from the scheduler step that completes the read's last request, with no promise
   * between; else a promise, as read() gives it (a failure found at once, a read of several runs
   * or from a backing file, a device without readThen). The same counters and requests as read().
   */
  readThen(buf: Uint8Array, offset: number, origin: Origin | undefined, zeroed: boolean, done: Done): Promise<void> | boolean {
    if (!this.io.readThen || !this.io.readSparseThen) {
      const read = this.read(buf, offset, origin, zeroed);
      return read === DONE || read;
    }
    const run = this.readLookup(buf, offset);
    if (run instanceof Promise) return run;
    if (run !== null) return this.readFoundThen(buf, offset, origin, run, zeroed, done);
    this.clusters.loadRunThen(offset, buf.length, 'read', origin, (found, err) => {
      if (found === null) {
        this.countReadFailed();
        return done(err);
      }
      const rest = this.readFoundThen(buf, offset, origin, found, zeroed, done);
      if (rest === true) done(null);
      else if (rest !== false) rest.then(() => done(null), done);
    });
    return false;
  }

  /** readFound for readThen: the data read by callback. */
  private readFoundThen(buf: Uint8Array, offset: number, origin: Origin | undefined, run: Run, zeroed: boolean, done: Done): Promise<void> | boolean {
    const start = this.readStart(buf, offset, origin, run, zeroed);
    if (start !== false) return start;
    this.io.readThen!(buf, run.host, 'read_aio', origin, (err) => {
      this.dataReadEnded(run, buf.length, err !== null);
      done(err);
    });
    return false;
  }

  /** The general read: run by run, each looked up (the first given) and its table loaded if need be. */
  private readRuns(buf: Uint8Array, offset: number, origin: Origin | undefined, first: Run, zeroed: boolean): Promise<void> {
    return this.request(async () => {
      let done = 0;
      while (done < buf.length) {
        const run = done === 0 ? first : await this.lookup(offset + done, buf.length - done, 'read', origin);
        this.onDataRun?.('read', offset + done, run.len, run.kind === 'data' ? run.host : 0);
        try {
          await this.readRun(run, done === 0 && run.len === buf.length ? buf : buf.subarray(done, done + run.len), offset + done, origin, zeroed);
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

  private async readRun(run: Run, dst: Uint8Array, pos: number, origin: Origin | undefined, zeroed: boolean): Promise<void> {
    if (run.kind === 'data') {
      await this.io.read(dst, run.host, 'read_aio', origin);
      count(this.stats.dataReads, dst.length);
    } else if (run.kind === 'unallocated' && this.backing) {
      await this.readBacking(dst, pos, origin);
    } else if (!zeroed) {
      dst.fill(0);
    }
  }

  private async readBacking(dst: Uint8Array, pos: number, origin: Origin | undefined): Promise<void> {
    const b = this.backing!;
    await readClipped(dst, pos, b.size, (d, o) => b.read(d, o, origin));
    count(this.stats.backingReads, dst.length);
  }

  // ---- writes ------------------------------------------------------------------------

  async write(buf: Uint8Array, offset: number, origin?: Origin): Promise<void> {
    this.assertWritable();
    this.assertRange(offset, buf.length);
    this.stats.requests.write++;
    await this.request(() => this.eachChunk(offset, buf.length, buf, origin));
  }

  /**
   * Zero a range. Whole unallocated clusters become zero clusters (no data written);
   * allocated clusters are overwritten with zeros; partial clusters go through write.
   */
  async writeZeroes(offset: number, length: number, origin?: Origin): Promise<void> {
    this.assertWritable();
    this.assertRange(offset, length);
    this.stats.requests.zero++;
    const end = offset + length;
    const a = Math.min(this.geometry.clusterCeil(offset), end);
    const b = Math.max(this.geometry.clusterFloor(end), a);
    await this.request(async () => {
      if (a > offset) await this.eachChunk(offset, a - offset, 'zero-fill', origin);
      if (b > a) await this.eachChunk(a, b - a, 'zero-clusters', origin);
      if (end > b) await this.eachChunk(b, end - b, 'zero-fill', origin);
    });
  }

  /**
   * The write loop: look up a run, write in place if allocated, else take the allocation
   * lock of its L1 entry (of the image in serial mode), look up again (another request may
   * have allocated meanwhile) and allocate. A run lies in one L2 table, so a request holds
   * one allocation lock at a time and cannot deadlock.
   * `src` is the data, or zeros written as data, or zero clusters (whole clusters only).
   */
  private async eachChunk(offset: number, length: number, src: Uint8Array | ZeroMode, origin: Origin | undefined): Promise<void> {
    const bytes = (done: number, len: number): Uint8Array =>
      typeof src === 'string' ? sharedZeros(len) : src.subarray(done, done + len);
    const op = typeof src === 'string' ? 'zero' : 'write';
    let done = 0;
    while (done < length) {
      const pos = offset + done;
      let run = await this.lookup(pos, length - done, op, origin);
      if (run.kind === 'data' || this.zeroingChangesNothing(run, src)) {
        if (run.kind === 'data') await this.inPlace(run, pos, typeof src === 'string' ? null : bytes(done, run.len), origin);
        else this.release(run);
        done += run.len;
        continue;
      }
      // QEMU keeps the table reference while the request waits in the allocation queue.
      const key = run.l1Index;
      if (this.allocQueue.busy(key)) this.stats.allocationWaits++;
      this.allocating++;
      this.allocStarts++;
      await this.allocQueue.acquire(key);
      let held = true;
      const unlock = (): void => {
        if (!held) return;
        held = false;
        this.allocQueue.release(key);
      };
      try {
        this.release(run);
        run = await this.lookup(pos, length - done, op, origin);
        if (run.kind === 'data') await this.inPlace(run, pos, typeof src === 'string' ? null : bytes(done, run.len), origin);
        else if (this.zeroingChangesNothing(run, src)) this.release(run);
        else await this.allocate(run, pos, src === 'zero-clusters' ? null : bytes(done, run.len), unlock, origin);
      } finally {
        this.allocating--;
        unlock();
      }
      done += run.len;
    }
  }

  /** Overwrite allocated clusters in place (`data` null: zeros, in bounded pieces). */
  private async inPlace(run: Run, pos: number, data: Uint8Array | null, origin: Origin | undefined): Promise<void> {
    this.onDataRun?.('write', pos, run.len, run.host);
    try {
      if (data) {
        await this.io.write(data, run.host, 'write_aio', origin);
      } else {
        const zeros = sharedZeros(Math.min(run.len, ZERO_CHUNK));
        for (let done = 0; done < run.len; done += zeros.length) {
          const n = Math.min(zeros.length, run.len - done);
          await this.io.write(zeros.subarray(0, n), run.host + done, 'write_aio', origin);
        }
      }
      count(this.stats.dataWrites, run.len);
      await this.mappingLanded(run, pos);
    } finally {
      this.release(run);
    }
  }

  /**
   * An in-place write may have found clusters an allocating write mapped and published before
   * its L2 sector write landed (the allocation lock is released early, TableIo.update). Done only
   * once that mapping is written, so a flush after it covers the mapping too; if the sector write
   * failed and the entries were undone, the data went to a cluster nothing maps: fail the write.
   */
  private async mappingLanded(run: Run, pos: number): Promise<void> {
    if (!run.entry) return;
    const landed = this.tables.updateInFlight(run.entry.offset, run.l2Index, run.clusters);
    if (landed) await landed;
    // Entries are only ever undone by a rollback: until the first one, what was found stays mapped.
    if (this.stats.rollbacks === 0) return;
    const g = this.geometry;
    const first = run.host - g.offsetInCluster(pos);
    for (let i = 0; i < run.clusters; i++) {
      if (run.entry.table.get(run.l2Index + i) !== first + i * g.clusterSize) {
        throw new Error(`${this.io.name}: write at ${pos} went to host cluster ${first + i * g.clusterSize}, but the L2 update that mapped it failed and was undone; the write is not kept`);
      }
    }
  }

  /**
   * An allocating write in QEMU's order: need-check (which we also flush, unlike QEMU, so a
   * power cut cannot leave an L2 entry past the end of file with need-check lost), data
   * clusters appended with full fill,
   * (flush if there is a backing file), then the L2 sectors, or a new L2 table + flush + L1.
   * `data` null makes zero clusters instead. The caller holds the allocation lock of the
   * run's L1 entry; `unlock` releases it early, once an update's entries are set in memory and
   * its sector write issued (TableIo.update says why that is safe). `run` holds the table
   * reference, released here.
   */
  private async allocate(run: Run, pos: number, data: Uint8Array | null, unlock: () => void, origin: Origin | undefined): Promise<void> {
    const g = this.geometry;
    try {
      this.stats.allocatingWrites++;
      // Checked here, not only inside: once need-check is durable (nearly always) no async call.
      if (!this.backing && !this.needCheckDurable) await this.ensureNeedCheck(origin);
      let value: number; // first new L2 entry value; data clusters count up from it
      if (data) {
        // Reserved synchronously: a concurrent allocation gets the next range; never given back.
        value = this.fileEnd;
        this.fileEnd += run.clusters * g.clusterSize;
        this.stats.clustersAllocated += run.clusters;
        this.onDataRun?.('write', pos, run.len, value + g.offsetInCluster(pos));
        await this.writeNewClusters(run, pos, data, value, origin);
        if (this.backing) await this.flushFile(origin);
      } else {
        value = L2_ZERO;
        this.stats.zeroClustersSet += run.clusters;
      }
      if (run.entry) await this.tables.update(run.entry, run.l2Index, run.clusters, value, unlock, origin);
      else await this.newL2(run, value, origin);
    } finally {
      this.release(run);
    }
  }

  /**
   * need-check set and flushed before any allocating write goes on. Concurrent first writers
   * share one update: the others wait on the header lock, then find it durable.
   */
  private async ensureNeedCheck(origin: Origin | undefined): Promise<void> {
    if (this.needCheckDurable) return;
    await this.headerLock.with(async () => {
      if (this.needCheckDurable) return;
      this.header.features |= NEED_CHECK;
      await this.writeHeader(origin);
      await this.flushFile(origin);
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
  private async writeNewClusters(run: Run, pos: number, data: Uint8Array, host: number, origin: Origin | undefined): Promise<void> {
    const g = this.geometry;
    const start = g.clusterFloor(pos);
    const front = pos - start;
    const back = run.clusters * g.clusterSize - front - data.length;
    const writes: Promise<void>[] = [this.io.write(data, host + front, 'write_aio', origin)];
    count(this.stats.dataWrites, data.length);
    if (front > 0) writes.push(this.fill(run, start, front, host, origin));
    if (back > 0) writes.push(this.fill(run, pos + data.length, back, host + front + data.length, origin));
    await Promise.all(writes);
  }

  private async fill(run: Run, vpos: number, len: number, host: number, origin: Origin | undefined): Promise<void> {
    // A zero cluster's untouched part stays zero; only unallocated clusters show the backing file.
    let buf: Uint8Array;
    if (run.kind === 'unallocated' && this.backing) await this.readBacking((buf = new Uint8Array(len)), vpos, origin);
    else buf = sharedZeros(len);
    await this.io.write(buf, host, 'cow_write', origin);
    count(this.stats.fillWrites, len);
  }

  /** A new L2 table after the data: write it whole, flush, then the L1 sector; commit to the cache. */
  private async newL2(run: Run, value: number, origin: Origin | undefined): Promise<void> {
    const g = this.geometry;
    const tableOffset = this.fileEnd; // reserved synchronously, like data clusters
    this.fileEnd += g.tableBytes;
    this.stats.tablesAllocated++;
    const table = this.tables.blank();
    setEntries(table, run.l2Index, run.clusters, value, g.clusterSize);
    await this.tables.writeNew(table, tableOffset, origin);
    await this.flushFile(origin);
    await this.tables.writeL1Entry(run.l1Index, tableOffset, origin);
    this.tables.commit(table, tableOffset, run.op);
  }

  // ---- lookup ------------------------------------------------------------------------

  private lookup(pos: number, maxLen: number, op: TableAccessOp, origin: Origin | undefined): Run | Promise<Run> {
    return this.clusters.lookup(pos, maxLen, op, origin);
  }

  /** A copy of the L2 table for L1 entry `l1Index` (null if none), for the allocation map; decoded into `into` if it fits. */
  async l2TableForMap(l1Index: number, into?: Table): Promise<Table | null> {
    this.assertOpen();
    const off = this.clusters.l2OffsetOf(l1Index);
    if (off === L2_UNALLOCATED) return null;
    const entry = await this.tables.load(off, 'map', undefined, (e) => e);
    const copy = entry.table.decoded(into);
    this.cache.unref(entry);
    return copy;
  }

  // ---- flush, grow, close, check -----------------------------------------------------

  /**
   * Flush; at idle also clear need-check, as QEMU's timer does. Idle means no allocating write
   * held or waited for any allocation lock when the flush was issued and none started before it
   * completed: then every allocating write's metadata is covered by this flush (one that was in
   * flight could have issued its L2 update after the flush began).
   */
  async flush(origin?: Origin): Promise<void> {
    this.assertOpen();
    this.stats.requests.flush++;
    const idleBefore = this.allocating === 0;
    const startsBefore = this.allocStarts;
    await this.flushFile(origin);
    if (this.readOnly || !this.needsCheck || !idleBefore) return;
    await this.headerLock.with(async () => {
      if (!this.needsCheck || this.allocStarts !== startsBefore) return;
      // An allocating write starting from here on waits on the header lock and sets it again.
      this.header.features &= ~NEED_CHECK;
      this.needCheckDurable = false;
      await this.writeHeader(origin);
      await this.flushFile(origin);
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
        l1Bytes: buf,
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
  private async writeHeader(origin?: Origin): Promise<void> {
    await this.io.write(serializeHeader(this.header), 0, 'header_update', origin);
    count(this.stats.metadataWrites.header, HEADER_BYTES);
  }

  private async flushFile(origin?: Origin): Promise<void> {
    await this.io.flush('flush_to_disk', origin);
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
