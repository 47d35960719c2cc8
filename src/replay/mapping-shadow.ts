/**
 * Integrity at the mapping level, for metadata-only replays (no data bytes to compare): every
 * virtual cluster a completed write covered must still be mapped at the end, or an L2/L1 update
 * was lost (the 2012 race). Reported as lost writes naming the virtual offset and the write.
 * After a power cut only the clusters first mapped by a write that a completed flush covered
 * must be mapped (the same durability rule as the byte-level shadow's).
 */
import { emptyIntegrityReport, type IntegrityReport, type Violation } from '../metrics/integrity.js';
import type { QedImage } from '../qed/image.js';

const SECTOR = 512;

/** Past this, sequence numbers in messages saturate (ticks would need 2^32 requests to wrap). */
const U32_MAX = 0xffffffff;

export class MappingShadow {
  /**
   * Per L2 table written to, per cluster it maps: [2i] the sequence number of the last completed
   * write that covered cluster i, [2i + 1] the tick at which a completed write first covered it (it
   * was mapped then); 0 = never written. Typed pages, not a Map entry per cluster: 8 bytes a cluster
   * of footprint, so a long trace over a large image stays in bounded memory.
   */
  private readonly pages = new Map<number, Uint32Array>();
  private seq = 0;
  private writes = 0;
  private tick = 0;
  /** Writes completed before this tick are durable: the latest issue tick of a completed flush. */
  private flushedBefore = 0;
  private lastReport: IntegrityReport | null = null;

  constructor(
    private readonly clusterSize: number,
    /** Clusters one L2 table maps. */
    private readonly entriesPerTable: number,
  ) {}

  beginWrite(): number {
    return ++this.seq;
  }

  /** A write (data, not zeroes: those need not allocate) finished; only a completed one sets an expectation. */
  endWrite(seq: number, offset: number, length: number, ok: boolean): void {
    if (!ok || length === 0) return;
    this.writes++;
    const at = ++this.tick;
    const last = Math.floor((offset + length - 1) / this.clusterSize);
    const per = this.entriesPerTable;
    for (let c = Math.floor(offset / this.clusterSize); c <= last; c++) {
      const t = Math.floor(c / per);
      let page = this.pages.get(t);
      if (!page) this.pages.set(t, (page = new Uint32Array(per * 2)));
      const i = (c - t * per) * 2;
      page[i] = Math.min(seq, U32_MAX);
      if (page[i + 1] === 0) page[i + 1] = at;
    }
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
    const r = await this.verify(img, (firstAt) => firstAt < this.flushedBefore);
    return new Set(r.violations.map((v) => v.expected)).size;
  }

  /** Walk the image's L2 tables (after the replay) and report every expected cluster left unmapped. */
  async verify(img: QedImage, expected: (firstAt: number) => boolean = () => true): Promise<IntegrityReport> {
    const report = emptyIntegrityReport('passed');
    report.writesTracked = this.writes;
    const per = this.entriesPerTable;
    const lost: Violation[] = [];
    for (const l1 of [...this.pages.keys()].sort((a, b) => a - b)) {
      const page = this.pages.get(l1)!;
      let table: Awaited<ReturnType<QedImage['l2TableForMap']>> | undefined;
      for (let i = 0; i < per; i++) {
        const seq = page[2 * i];
        if (seq === 0 || !expected(page[2 * i + 1])) continue;
        table ??= await img.l2TableForMap(l1);
        report.sectorsVerified += this.clusterSize / SECTOR;
        const host = table ? table[i] : 0;
        if (host !== 0) continue;
        const c = l1 * per + i;
        lost.push({ kind: 'lost-write', offset: c * this.clusterSize, sectors: this.clusterSize / SECTOR, expected: `w#${seq} (mapped)`, found: table ? 'unmapped (L2 entry 0: lost L2 update)' : 'unmapped (L1 entry 0: lost L1 update)', during: 'read-back' });
      }
    }
    report.lostWrites = lost.reduce((s, v) => s + v.sectors, 0);
    report.violations = lost.slice(0, 100);
    report.verdict = lost.length ? 'failed' : 'passed';
    this.lastReport = report;
    return report;
  }
}
