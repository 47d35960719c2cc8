/** The shadow model: what every sector must hold, checked on every read and in the final read-back. */
import { emptyIntegrityReport, type IntegrityReport, type Violation } from '../metrics/integrity.js';
import { DurabilityLog, verifyAfterCut, type ShadowState } from './durability.js';
import { SectorMap } from './sector-map.js';
import { UNKNOWN, ZERO_BIT, matches } from './sector-values.js';
import { SECTOR, readSector, stampBuffer, wordsOf, type SectorContent } from './stamp.js';
import { allZero } from '../util/zeros.js';

const MAX_SEQ = 0x7ffffffe;
const MAX_LISTED = 100;

// The report's shape lives in metrics/; re-exported for code that imports it from here.
export { emptyIntegrityReport, type Violation };

interface WriteRecord {
  seq: number;
  offset: number;
  length: number;
  zero: boolean;
  issuedAt: number;
  completedAt: number;
  /** Overlapping writes that completed while this one was in flight: either may land last. */
  racers?: Array<{ first: number; count: number; value: number }>;
}

export interface ReadToken {
  seq: number;
  offset: number;
  length: number;
  issuedAt: number;
  snapshot: Uint32Array | null;
}

/**
 * What every sector of the virtual disk must hold. Writes are stamped (stamp.ts); a read is
 * legal if each sector shows the write committed when the read was issued, or a write that
 * was in flight at some moment of the read. Memory: the sector map plus writes in flight.
 */
export class ShadowModel {
  private readonly map = new SectorMap();
  private readonly live = new Map<number, WriteRecord>();
  /**
   * Sectors whose latest write raced an overlapping one (their lifetimes overlapped): the
   * racers' values, which the device may show instead. Cleared by the next write without racers.
   */
  private readonly alts = new Map<number, number[]>();
  private readonly readsInFlight = new Map<number, number>(); // read seq → issuedAt
  private tick = 0;
  private seq = 0;
  /** Power-cut runs only: the writes a cut may take back. */
  private durability: DurabilityLog | null = null;
  private readonly r: IntegrityReport = emptyIntegrityReport('passed');

  /**
   * `baseline` says what never-written sectors hold: zeros (a fresh image without a backing
   * file) or unknown (an existing image, or a backing file), which is then not verified.
   */
  constructor(
    readonly seed: number,
    private readonly baseline: 'zeros' | 'unknown',
  ) {}

  /** Register a write or zero-write; returns its seq and, for data, the stamped buffer to write. */
  beginWrite(offset: number, length: number, zero: boolean): { seq: number; data: Uint8Array | null } {
    const seq = this.nextSeq();
    this.live.set(seq, { seq, offset, length, zero, issuedAt: ++this.tick, completedAt: Infinity });
    this.r.writesTracked++;
    let data: Uint8Array | null = null;
    if (!zero) {
      data = new Uint8Array(length);
      if (aligned(offset, length)) stampBuffer(data, offset, seq, this.seed);
    }
    return { seq, data };
  }

  /** A write completed (ok) or failed; a failed write leaves its sectors unpredictable. */
  endWrite(seq: number, ok: boolean): void {
    const w = this.live.get(seq);
    if (!w) throw new Error(`shadow: write ${seq} ended twice`);
    w.completedAt = ++this.tick;
    const first = Math.floor(w.offset / SECTOR);
    const last = Math.ceil((w.offset + w.length) / SECTOR);
    const d = this.durability;
    // A write in flight at a power cut may have landed or not; one issued after it changed nothing.
    const landed = ok || (d !== null && w.issuedAt < d.cutAt && w.completedAt > d.cutAt);
    if (d && w.issuedAt > d.cutAt) return this.prune();
    const value = !landed || !aligned(w.offset, w.length) ? UNKNOWN : w.zero ? seq | ZERO_BIT : seq;
    for (const x of this.live.values()) {
      if (x.completedAt === Infinity && x.offset < w.offset + w.length && w.offset < x.offset + x.length) {
        (x.racers ??= []).push({ first, count: last - first, value });
      }
    }
    if (d) {
      const old = new Uint32Array(last - first);
      this.map.copy(first, old.length, old);
      const oldAlts = this.alts.size ? Array.from(old, (_, i) => this.alts.get(first + i)) : null;
      d.record({ seq, first, count: old.length, value, old, oldAlts, completedAt: w.completedAt, acked: ok && w.completedAt < d.cutAt });
    }
    this.map.setRange(first, last - first, value);
    this.setAlts(first, last - first, w.racers);
    this.prune();
  }

  private setAlts(first: number, count: number, racers: WriteRecord['racers']): void {
    if (!racers && this.alts.size === 0) return;
    for (let s = first; s < first + count; s++) {
      const vs = racers?.filter((r) => r.first <= s && s < r.first + r.count).map((r) => r.value);
      if (vs?.length) this.alts.set(s, vs);
      else this.alts.delete(s);
    }
  }

  /** Track which writes a completed flush made durable (power-cut runs; before any write). */
  trackDurability(): void {
    this.durability = new DurabilityLog();
  }

  /** A flush is issued; pass the result to endFlush. */
  beginFlush(): number {
    return ++this.tick;
  }

  /** A flush completed (ok) or failed: the writes completed before it was issued are durable. */
  endFlush(issuedAt: number, ok: boolean): void {
    if (ok) this.durability?.flushed(issuedAt);
  }

  /** The power was cut now: writes in flight may land or not; later ones change nothing. */
  powerCut(): void {
    if (!this.durability) throw new Error('shadow: powerCut() without trackDurability()');
    if (this.durability.cutAt === Infinity) this.durability.cutAt = ++this.tick;
  }

  /** After a power cut and recovery: the read-back of every sector ever written (durability.ts). */
  async verifyAfterCut(read: (buf: Uint8Array, offset: number) => Promise<void>): Promise<{ lostFlushedWrites: number; lostUnflushedWrites: number }> {
    const state: ShadowState = { map: this.map, alts: this.alts, baseline: this.baseline, seed: this.seed, report: this.r, violation: (want, got, offset) => this.violation(want, got, offset, 'read-back') };
    return verifyAfterCut(this.durability, state, read);
  }


  /**
   * Sectors never written inside `ranges` (virtual bytes, sector-aligned; e.g. the allocated
   * clusters) must read as zeros: nothing from unrelated writes. Skipped on an unknown baseline.
   */
  async verifyUnwritten(ranges: Array<{ start: number; length: number }>, read: (buf: Uint8Array, offset: number) => Promise<void>): Promise<void> {
    if (this.baseline === 'unknown') return;
    const piece = 2048;
    for (const r of ranges) {
      const first = r.start / SECTOR;
      const end = first + r.length / SECTOR;
      for (let s = first; s < end; s += piece) {
        const n = Math.min(piece, end - s);
        const buf = new Uint8Array(n * SECTOR);
        await read(buf, s * SECTOR);
        const words = wordsOf(buf);
        for (let i = 0; i < n; i++) {
          if (this.map.get(s + i) !== 0) continue;
          this.r.sectorsVerified++;
          const got = readSector(words, i, s + i, this.seed);
          if (got.kind !== 'zeros') this.violation(0, got, (s + i) * SECTOR, 'read-back');
        }
      }
    }
  }




  beginRead(offset: number, length: number): ReadToken {
    const seq = this.nextSeq();
    const issuedAt = ++this.tick;
    this.readsInFlight.set(seq, issuedAt);
    let snapshot: Uint32Array | null = null;
    if (aligned(offset, length)) {
      snapshot = new Uint32Array(length / SECTOR);
      this.map.copy(offset / SECTOR, snapshot.length, snapshot);
    }
    return { seq, offset, length, issuedAt, snapshot };
  }

  /** Verify a completed read; violations are recorded and returned (count). */
  endRead(t: ReadToken, buf: Uint8Array | null): number {
    this.readsInFlight.delete(t.seq);
    const now = ++this.tick;
    let bad = 0;
    if (buf && t.snapshot) {
      this.r.readsVerified++;
      bad = this.verify(buf, t.offset, t.snapshot, (sector) => this.inFlightDuring(sector, t.issuedAt, now), 'replay', t.seq);
    }
    this.prune();
    return bad;
  }

  /**
   * After the replay: read back every sector ever written and compare with what must be
   * there. `read` reads the image; pieces are at most 1 MiB.
   */
  async verifyAll(read: (buf: Uint8Array, offset: number) => Promise<void>, onProgress?: (bytes: number) => void): Promise<void> {
    const piece = 2048; // sectors (1 MiB)
    const expected = new Uint32Array(piece);
    const whole = new Uint8Array(piece * SECTOR); // one buffer for every piece: a new MiB each was most of a full replay's garbage
    for (const run of this.map.runs()) {
      for (let s = run.first; s < run.first + run.count; s += piece) {
        const n = Math.min(piece, run.first + run.count - s);
        const buf = whole.subarray(0, n * SECTOR);
        await read(buf, s * SECTOR);
        this.map.copy(s, n, expected);
        this.verify(buf, s * SECTOR, expected.subarray(0, n), () => [], 'read-back');
        onProgress?.(buf.length);
      }
    }
  }

  /** Bytes of the disk the model tracks as written (for progress totals). */
  trackedBytes(): number {
    let n = 0;
    for (const run of this.map.runs()) n += run.count * SECTOR;
    return n;
  }

  report(): IntegrityReport {
    const r = { ...this.r, violations: [...this.r.violations] };
    r.verdict = r.staleReads + r.lostWrites + r.corruptSectors + r.unexpectedData > 0 ? 'failed' : 'passed';
    return r;
  }

  private nextSeq(): number {
    if (this.seq >= MAX_SEQ) throw new Error('shadow: more than 2^31 requests; split the replay');
    return ++this.seq;
  }

  /** Writes covering `sector` that were in flight at some moment in (from, to). */
  private inFlightDuring(sector: number, from: number, to: number): WriteRecord[] {
    const out: WriteRecord[] = [];
    const pos = sector * SECTOR;
    for (const [, w] of this.live) {
      if (w.issuedAt < to && w.completedAt > from && w.offset <= pos && pos < w.offset + w.length) out.push(w);
    }
    return out;
  }

  /** Forget completed writes no in-flight read can still see. */
  private prune(): void {
    if (this.live.size === 0) return; // nothing to drop (a read-only phase)
    let oldest = Infinity;
    for (const t of this.readsInFlight.values()) if (t < oldest) oldest = t;
    for (const [seq, w] of this.live) if (w.completedAt < oldest) this.live.delete(seq);
  }

  private verify(
    buf: Uint8Array,
    offset: number,
    expected: Uint32Array,
    racing: (sector: number) => WriteRecord[],
    during: 'replay' | 'read-back',
    readSeq?: number,
  ): number {
    if (this.baseline === 'zeros' && allZeroWords(expected) && allZero(buf)) {
      // Every sector must be zeros and is (most reads of a sparse image): what the loop below
      // would find, with one memcmp instead of a look at every word of every sector.
      this.r.sectorsVerified += expected.length;
      return 0;
    }
    const words = wordsOf(buf);
    const first = offset / SECTOR;
    let bad = 0;
    for (let s = 0; s < expected.length; s++) {
      const want = expected[s];
      if (want === UNKNOWN || (want === 0 && this.baseline === 'unknown')) {
        this.r.sectorsUnverifiable++;
        continue;
      }
      this.r.sectorsVerified++;
      const got = readSector(words, s, first + s, this.seed);
      if (matches(want, got)) continue;
      if (this.alts.get(first + s)?.some((v) => v === UNKNOWN || matches(v, got))) continue;
      const others = racing(first + s);
      if (others.some((w) => (w.zero ? got.kind === 'zeros' : got.kind === 'stamp' && w.seq === got.seq))) continue;
      bad++;
      this.violation(want, got, (first + s) * SECTOR, during, readSeq);
    }
    return bad;
  }

  private violation(want: number, got: SectorContent, offset: number, during: 'replay' | 'read-back', readSeq?: number): void {
    const kind: Violation['kind'] =
      got.kind === 'garbage'
        ? 'corrupt'
        : want === 0 || want & ZERO_BIT
          ? 'unexpected-data'
          : during === 'replay'
            ? 'stale-read'
            : 'lost-write';
    if (kind === 'corrupt') this.r.corruptSectors++;
    else if (kind === 'unexpected-data') this.r.unexpectedData++;
    else if (kind === 'stale-read') this.r.staleReads++;
    else this.r.lostWrites++;
    const expected = describeExpected(want);
    const found = got.kind === 'stamp' ? `write #${got.seq}` : got.kind === 'zeros' ? 'zeros' : 'bytes that are neither zeros nor an intact stamp';
    const last = this.r.violations[this.r.violations.length - 1];
    if (last && last.kind === kind && last.expected === expected && last.found === found && last.offset + last.sectors * SECTOR === offset && last.during === during) {
      last.sectors++;
      return;
    }
    if (this.r.violations.length < MAX_LISTED) this.r.violations.push({ kind, offset, sectors: 1, expected, found, during, readSeq });
  }
}

function aligned(offset: number, length: number): boolean {
  return offset % SECTOR === 0 && length % SECTOR === 0;
}

function describeExpected(want: number): string {
  if (want === 0) return 'the original content (zeros)';
  if (want & ZERO_BIT) return `zeros from zero-write #${want & ~ZERO_BIT}`;
  return `write #${want}`;
}

function allZeroWords(a: Uint32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) return false;
  return true;
}
