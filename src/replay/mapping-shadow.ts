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

export class MappingShadow {
  /** Virtual cluster → the sequence number of the last completed write that covered it. */
  private readonly written = new Map<number, number>();
  /** Virtual cluster → the tick at which a completed write first covered it (it was mapped then). */
  private readonly firstAt = new Map<number, number>();
  private seq = 0;
  private writes = 0;
  private tick = 0;
  /** Writes completed before this tick are durable: the latest issue tick of a completed flush. */
  private flushedBefore = 0;
  private lastReport: IntegrityReport | null = null;
  /** Virtual cluster → its host cluster, as the last completed write (or zero-write) that wrote data there left it. */
  private readonly host = new Map<number, number>();
  /** Virtual cluster → the host cluster a write last said it puts data in (engine's onDataRun), completed or not. */
  private readonly announced = new Map<number, number>();
  /** Virtual cluster → writes (and zero-writes) covering it now in flight. */
  private readonly inFlight = new Map<number, number>();
  /** Virtual cluster → a host cluster a failed write may have left mapped (or not): either is legal. */
  private readonly maybe = new Map<number, number>();
  private readsChecked = 0;
  private staleReads = 0;
  private readonly readViolations: Violation[] = [];

  constructor(
    private readonly clusterSize: number,
    /** Clusters one L2 table maps. */
    private readonly entriesPerTable: number,
  ) {}

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
    this.eachCluster(offset, length, (c) => {
      const n = this.inFlight.get(c)! - 1;
      if (n > 0) this.inFlight.set(c, n);
      else this.inFlight.delete(c);
      const to = this.announced.get(c);
      if (!ok) {
        if (to !== undefined && to !== this.host.get(c)) this.maybe.set(c, to);
        return;
      }
      if (to !== undefined) {
        this.host.set(c, to);
        this.maybe.delete(c);
      }
    });
    if (!ok || length === 0 || zero) return;
    this.writes++;
    const at = ++this.tick;
    this.eachCluster(offset, length, (c) => {
      this.written.set(c, seq);
      if (!this.firstAt.has(c)) this.firstAt.set(c, at);
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
    this.eachCluster(pos, len, (c) => {
      const found = host === 0 ? 0 : hostFirst + (c - first) * cs;
      const want = this.host.get(c) ?? 0;
      if (found === want || this.maybe.get(c) === found) return;
      if (this.inFlight.has(c) && this.announced.get(c) === found) return;
      this.staleReads++;
      const seq = this.written.get(c);
      const expected = want === 0 ? 'unmapped (never written)' : `host cluster ${want}${seq ? ` (w#${seq})` : ''}`;
      const what = found === 0 ? 'unmapped (a stale L2 table: lost L2 update)' : `host cluster ${found}`;
      if (this.readViolations.length < 100) this.readViolations.push({ kind: 'stale-read', offset: c * cs, sectors: cs / SECTOR, expected, found: what, during: 'replay' });
    });
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
    const r = await this.verify(img, (c) => this.firstAt.get(c)! < this.flushedBefore);
    return new Set(r.violations.filter((v) => v.kind === 'lost-write').map((v) => v.expected)).size;
  }

  /** Walk the image's L2 tables (after the replay) and report every expected cluster left unmapped. */
  async verify(img: QedImage, expected: (cluster: number) => boolean = () => true): Promise<IntegrityReport> {
    const report = emptyIntegrityReport('passed');
    report.writesTracked = this.writes;
    const byTable = new Map<number, number[]>();
    for (const c of [...this.written.keys()].sort((a, b) => a - b)) {
      if (!expected(c)) continue;
      const l1 = Math.floor(c / this.entriesPerTable);
      const list = byTable.get(l1) ?? [];
      list.push(c);
      byTable.set(l1, list);
    }
    const lost: Violation[] = [];
    let buf: Float64Array | undefined; // one decoded table at a time, not one per table
    for (const [l1, clusters] of byTable) {
      const table = await img.l2TableForMap(l1, buf);
      buf = table ?? buf;
      for (const c of clusters) {
        report.sectorsVerified += this.clusterSize / SECTOR;
        const host = table ? table[c % this.entriesPerTable] : 0;
        if (host !== 0) continue;
        const seq = this.written.get(c)!;
        lost.push({ kind: 'lost-write', offset: c * this.clusterSize, sectors: this.clusterSize / SECTOR, expected: `w#${seq} (mapped)`, found: table ? 'unmapped (L2 entry 0: lost L2 update)' : 'unmapped (L1 entry 0: lost L1 update)', during: 'read-back' });
      }
    }
    report.lostWrites = lost.reduce((s, v) => s + v.sectors, 0);
    report.readsVerified = this.readsChecked;
    report.staleReads = this.staleReads;
    report.violations = [...this.readViolations, ...lost].slice(0, 100);
    report.verdict = lost.length || this.staleReads ? 'failed' : 'passed';
    this.lastReport = report;
    return report;
  }
}
