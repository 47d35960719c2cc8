/**
 * The power-cut half of the shadow model: what a cut may take back, and the read-back after it
 * (verifyAfterCut). What a power cut may take back, as the shadow model sees it: the writes completed since the
 * last completed flush that covers them, in completion order, each with the sector-map values
 * it replaced. A flush issued at tick T covers the writes completed before T. Memory: 4 bytes
 * per sector written since the last flush (unbounded only if the workload never flushes).
 */
import type { IntegrityReport } from '../metrics/integrity.js';
import type { SectorMap } from './sector-map.js';
import { UNKNOWN, ZERO_BIT, matches } from './sector-values.js';
import { SECTOR, readSector, wordsOf, type SectorContent } from './stamp.js';

export interface VolatileWrite {
  seq: number;
  first: number;
  count: number;
  /** Its sector-map value (seq, seq | ZERO_BIT, or UNKNOWN). */
  value: number;
  /** The sector-map values before it, one per sector, and their racers' values (if any). */
  old: Uint32Array;
  oldAlts: Array<number[] | undefined> | null;
  completedAt: number;
  /** Acknowledged before the cut (not merely in flight when it came). */
  acked: boolean;
}

/** What a sector may show after the cut: `durable` (or a racer of it), or one of `writes` (oldest first). */
export interface SectorChain {
  durable: number;
  /** Writes that raced the durable one (either may be on disk). */
  durableAlts: number[];
  writes: VolatileWrite[];
}

export class DurabilityLog {
  private log: VolatileWrite[] = [];
  /** Tick of the cut; Infinity before it. */
  cutAt = Infinity;

  record(w: VolatileWrite): void {
    this.log.push(w);
  }

  /** A flush issued at `issuedAt` completed: writes completed before it are durable. */
  flushed(issuedAt: number): void {
    let n = 0;
    while (n < this.log.length && this.log[n].completedAt < issuedAt) n++;
    if (n > 0) this.log.splice(0, n);
  }

  get pending(): number {
    return this.log.length;
  }

  /** Per sector touched by a non-durable write: its chain of allowed values. */
  chains(): Map<number, SectorChain> {
    const out = new Map<number, SectorChain>();
    for (const w of this.log) {
      for (let i = 0; i < w.count; i++) {
        const s = w.first + i;
        let c = out.get(s);
        if (!c) out.set(s, (c = { durable: w.old[i], durableAlts: w.oldAlts?.[i] ?? [], writes: [] }));
        c.writes.push(w);
      }
    }
    return out;
  }
}

/** What the read-back after a cut judges against: the shadow model's own state (shadow.ts). */
export interface ShadowState {
  readonly map: SectorMap;
  /** Per sector whose latest write raced others: the racers' values. */
  readonly alts: ReadonlyMap<number, number[]>;
  readonly baseline: 'zeros' | 'unknown';
  readonly seed: number;
  /** Counted into: sectorsVerified, sectorsUnverifiable. */
  readonly report: IntegrityReport;
  violation(want: number, got: SectorContent, offset: number): void;
}

/**
 * After a power cut and recovery: read back every sector ever written. A sector must show its
 * durable value or one of the later writes a cut could leave (any of them, per sector: torn
 * writes mix). Returns the distinct durable writes lost (a failure) and the acknowledged
 * unflushed writes not (wholly) there (legal).
 */
export async function verifyAfterCut(log: DurabilityLog | null, s: ShadowState, read: (buf: Uint8Array, offset: number) => Promise<void>): Promise<{ lostFlushedWrites: number; lostUnflushedWrites: number }> {
  const chains = log?.chains() ?? new Map<number, SectorChain>();
  const lostFlushed = new Set<number>();
  const lostUnflushed = new Set<number>();
  const piece = 2048;
  for (const run of s.map.runs()) {
    for (let first = run.first; first < run.first + run.count; first += piece) {
      const n = Math.min(piece, run.first + run.count - first);
      const buf = new Uint8Array(n * SECTOR);
      await read(buf, first * SECTOR);
      const words = wordsOf(buf);
      for (let i = 0; i < n; i++) judgeAfterCut(s, words, i, first + i, chains.get(first + i), lostFlushed, lostUnflushed);
    }
  }
  return { lostFlushedWrites: lostFlushed.size, lostUnflushedWrites: lostUnflushed.size };
}

function judgeAfterCut(s: ShadowState, words: Uint32Array, i: number, sector: number, c: SectorChain | undefined, lostFlushed: Set<number>, lostUnflushed: Set<number>): void {
  const durable = c ? c.durable : s.map.get(sector);
  const durableAlts = c ? c.durableAlts : s.alts.get(sector);
  if (durable === UNKNOWN || (durable === 0 && s.baseline === 'unknown') || durableAlts?.includes(UNKNOWN) || c?.writes.some((w) => w.value === UNKNOWN)) {
    s.report.sectorsUnverifiable++;
    return;
  }
  s.report.sectorsVerified++;
  const got = readSector(words, i, sector, s.seed);
  const writes = c?.writes ?? [];
  let k = writes.length - 1;
  while (k >= 0 && !matches(writes[k].value, got)) k--;
  if (k < 0 && !matches(durable, got) && !durableAlts?.some((v) => matches(v, got))) {
    if (durable !== 0) lostFlushed.add(durable & ~ZERO_BIT);
    s.violation(durable, got, sector * SECTOR);
    return;
  }
  for (let j = k + 1; j < writes.length; j++) if (writes[j].acked) lostUnflushed.add(writes[j].seq);
}
