/**
 * Integrity at the mapping level, for metadata-only replays (no data bytes to compare): every
 * read must resolve each cluster to the host cluster the last completed write put it in (a
 * write in flight may show either, its new cluster or the old state), and every virtual cluster
 * a completed write covered must still be mapped at the end, or an L2/L1 update was lost (the
 * 2012 race). Reported as stale reads and lost writes naming the virtual offset and the write.
 * After a power cut only the clusters first mapped by a write that a completed flush covered
 * must be mapped (the same durability rule as the byte-level shadow's).
 */
import { emptyIntegrityReport, type IntegrityReport, type Violation } from '../metrics/integrity.js';
import type { QedImage } from '../qed/image.js';

const SECTOR = 512;

/** Past this, sequence numbers in messages saturate (ticks would need 2^32 requests to wrap). */
const U32_MAX = 0xffffffff;

/** Slots per cluster in a page: last completed write's seq, host cluster, and (power cuts only) first-mapped tick. */
const SEQ = 0;
const HOST = 1;
const FIRST_AT = 2;

/** Clusters per page: 32 MiB of guest space at 64 KiB clusters, so a write here and there costs a few KiB. */
const PAGE_CLUSTERS = 512;

export class MappingShadow {
  /**
   * Per PAGE_CLUSTERS clusters written to (page = cluster / PAGE_CLUSTERS), `slots` words a
   * cluster: the sequence number of the last completed data write that covered it, the host
   * cluster (host offset / cluster size) the last completed write or zero-write left it in, and
   * with durability tracking the tick at which a completed write first covered it (it was
   * mapped then); 0 = never. Typed pages, not Map entries per cluster: 8 bytes a cluster of
   * footprint (12 with power cuts), so a long trace over a large image stays in bounded memory.
   */
  private readonly pages = new Map<number, Uint32Array>();
  /** Words per cluster in a page: FIRST_AT only when a power cut may ask which mappings were durable. */
  private readonly slots: number;
  /** Clusters per page (PAGE_CLUSTERS, or a whole table when a table maps fewer). */
  private readonly perPage: number;
  private seq = 0;
  private writes = 0;
  private tick = 0;
  /** Writes completed before this tick are durable: the latest issue tick of a completed flush. */
  private flushedBefore = 0;
  private lastReport: IntegrityReport | null = null;
  /** Virtual cluster → the host offset a write in flight said it puts data in (engine's onDataRun). */
  private readonly announced = new Map<number, number>();
  /** Virtual cluster → writes (and zero-writes) covering it now in flight. */
  private readonly inFlight = new Map<number, number>();
  /** Virtual cluster → a host offset a failed write may have left mapped (or not): either is legal. */
  private readonly maybe = new Map<number, number>();
  private readsChecked = 0;
  private staleReads = 0;
  private readonly readViolations: Violation[] = [];

  constructor(
    private readonly clusterSize: number,
    /** Clusters one L2 table maps. */
    private readonly entriesPerTable: number,
    /** Track when each cluster was first mapped, for verifyAfterCut (a power cut is armed). */
    private readonly durability = false,
  ) {
    this.slots = durability ? 3 : 2;
    this.perPage = Math.min(PAGE_CLUSTERS, entriesPerTable);
    if (entriesPerTable % this.perPage !== 0) throw new Error(`mapping shadow: ${entriesPerTable} clusters a table is not a multiple of ${this.perPage}`);
  }

  /** Bytes held in pages, for tests and memory reports. */
  get heldBytes(): number {
    let n = 0;
    for (const page of this.pages.values()) n += page.byteLength;
    return n;
  }

  /** The page holding cluster c and c's first slot in it (the page made on first use when `make`). */
  private slot(c: number, make: boolean): [Uint32Array | undefined, number] {
    const per = this.perPage;
    const p = Math.floor(c / per);
    let page = this.pages.get(p);
    if (!page && make) this.pages.set(p, (page = new Uint32Array(per * this.slots)));
    return [page, (c - p * per) * this.slots];
  }

  /** Host offset the shadow expects cluster c at (0: unmapped). */
  private expectedHost(c: number): number {
    const [page, i] = this.slot(c, false);
    return page ? page[i + HOST] * this.clusterSize : 0;
  }

  /** A write or zero-write is issued; pass the result to endWrite. */
  beginWrite(offset: number, length: number): number {
    this.eachCluster(offset, length, (c) => this.inFlight.set(c, (this.inFlight.get(c) ?? 0) + 1));
    return ++this.seq;
  }

  /**
   * A write finished. A completed one fixes the host clusters it wrote as the expected mapping;
   * a data write (not a zero-write: those need not allocate) also sets the end-of-run expectation.
   */
  endWrite(seq: number, offset: number, length: number, ok: boolean, zero = false): void {
    const data = ok && !zero && length > 0;
    const at = data ? ++this.tick : 0;
    if (data) this.writes++;
    this.eachCluster(offset, length, (c) => {
      const to = this.announced.get(c);
      const n = this.inFlight.get(c)! - 1;
      if (n > 0) this.inFlight.set(c, n);
      else {
        this.inFlight.delete(c);
        this.announced.delete(c);
      }
      if (!ok) {
        if (to !== undefined && to !== this.expectedHost(c)) this.maybe.set(c, to);
        return;
      }
      const [page, i] = this.slot(c, to !== undefined || data);
      if (!page) return;
      if (to !== undefined) {
        // The announcement may be another write's still in flight (a zero-write announces
        // nothing): until the cluster is quiet, the state before stays legal to read too.
        if (n > 0) this.maybe.set(c, page[i + HOST] * this.clusterSize);
        else this.maybe.delete(c);
        page[i + HOST] = to / this.clusterSize;
      }
      if (data) {
        page[i + SEQ] = Math.min(seq, U32_MAX);
        if (this.durability && page[i + FIRST_AT] === 0) page[i + FIRST_AT] = at;
      }
    });
  }

  /**
   * The engine resolved a data run (QedImage.onDataRun): a write's clusters are announced; a
   * read's must be where the last completed write put them, or where a write in flight is
   * putting them (host 0: unallocated or a zero cluster).
   */
  onDataRun(op: 'read' | 'write', pos: number, len: number, host: number): void {
    const cs = this.clusterSize;
    const first = Math.floor(pos / cs);
    const hostFirst = host === 0 ? 0 : host - (pos - first * cs);
    if (op === 'write') {
      this.eachCluster(pos, len, (c) => this.announced.set(c, host === 0 ? 0 : hostFirst + (c - first) * cs));
      return;
    }
    this.readsChecked++;
    if (len === 0) return;
    // A plain loop (reads are the hot path): no closure or slot tuple per cluster.
    const last = Math.floor((pos + len - 1) / cs);
    const per = this.perPage;
    const slots = this.slots;
    for (let c = first; c <= last; c++) {
      const found = host === 0 ? 0 : hostFirst + (c - first) * cs;
      const p = Math.floor(c / per);
      const page = this.pages.get(p);
      const want = page ? page[(c - p * per) * slots + HOST] * cs : 0;
      if (found === want) continue;
      if (this.maybe.size > 0 && this.maybe.get(c) === found) continue;
      if (this.inFlight.has(c) && this.announced.get(c) === found) continue;
      this.staleRead(c, found, want);
    }
  }

  private staleRead(c: number, found: number, want: number): void {
    const cs = this.clusterSize;
    this.staleReads++;
    const [page, i] = this.slot(c, false);
    const seq = page ? page[i + SEQ] : 0;
    const expected = want === 0 ? 'unmapped (never written)' : `host cluster ${want}${seq ? ` (w#${seq})` : ''}`;
    const what = found === 0 ? 'unmapped (a stale L2 table: lost L2 update)' : `host cluster ${found}`;
    if (this.readViolations.length < 100) this.readViolations.push({ kind: 'stale-read', offset: c * cs, sectors: cs / SECTOR, expected, found: what, during: 'replay' });
  }

  private eachCluster(offset: number, length: number, f: (cluster: number) => void): void {
    if (length === 0) return;
    const last = Math.floor((offset + length - 1) / this.clusterSize);
    for (let c = Math.floor(offset / this.clusterSize); c <= last; c++) f(c);
  }

  /** A flush is issued; pass the result to endFlush. */
  beginFlush(): number {
    return ++this.tick;
  }

  /** A flush completed (ok): the writes completed before it was issued are durable. */
  endFlush(issuedAt: number, ok: boolean): void {
    if (ok) this.flushedBefore = Math.max(this.flushedBefore, issuedAt);
  }

  /** The last verify's report (null before one). */
  report(): IntegrityReport | null {
    return this.lastReport;
  }

  /** After a power cut and recovery: every durably mapped cluster still mapped. Returns the lost writes. */
  async verifyAfterCut(img: QedImage): Promise<number> {
    if (!this.durability) throw new Error('mapping shadow: verifyAfterCut needs durability tracking (made without a power cut armed)');
    await this.verify(img, (firstAt) => firstAt < this.flushedBefore);
    return this.lostWriteSeqs;
  }

  /** Distinct writes the last verify found lost (all of them: its violations list is capped). */
  private lostWriteSeqs = 0;

  /**
   * Walk the image's L2 tables (after the replay) and report every expected cluster left
   * unmapped. `expected` is given the tick a cluster was first mapped (0 without durability tracking).
   */
  async verify(img: QedImage, expected: (firstAt: number) => boolean = () => true): Promise<IntegrityReport> {
    const report = emptyIntegrityReport('passed');
    report.writesTracked = this.writes;
    const { perPage, slots, entriesPerTable } = this;
    const lost: Violation[] = [];
    let buf: Float64Array | undefined; // one decoded table at a time, not one per table
    let l1 = -1; // the table `table` holds (pages in order: a table's pages come together)
    let table: Float64Array | null = null;
    for (const p of [...this.pages.keys()].sort((a, b) => a - b)) {
      const page = this.pages.get(p)!;
      for (let j = 0; j < perPage; j++) {
        const seq = page[j * slots + SEQ];
        if (seq === 0 || !expected(this.durability ? page[j * slots + FIRST_AT] : 0)) continue;
        const c = p * perPage + j;
        const t = Math.floor(c / entriesPerTable);
        if (t !== l1) {
          table = await img.l2TableForMap(t, buf);
          buf = table ?? buf;
          l1 = t;
        }
        report.sectorsVerified += this.clusterSize / SECTOR;
        const host = table ? table[c - t * entriesPerTable] : 0;
        if (host !== 0) continue;
        lost.push({ kind: 'lost-write', offset: c * this.clusterSize, sectors: this.clusterSize / SECTOR, expected: `w#${seq} (mapped)`, found: table ? 'unmapped (L2 entry 0: lost L2 update)' : 'unmapped (L1 entry 0: lost L1 update)', during: 'read-back' });
      }
    }
    report.lostWrites = lost.reduce((s, v) => s + v.sectors, 0);
    this.lostWriteSeqs = new Set(lost.map((v) => v.expected)).size;
    report.readsVerified = this.readsChecked;
    report.staleReads = this.staleReads;
    report.violations = [...this.readViolations, ...lost].slice(0, 100);
    report.verdict = lost.length || this.staleReads ? 'failed' : 'passed';
    this.lastReport = report;
    return report;
  }
}
