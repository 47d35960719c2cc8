/**
 * What a power cut may take back, as the shadow model sees it: the writes completed since the
 * last completed flush that covers them, in completion order, each with the sector-map values
 * it replaced. A flush issued at tick T covers the writes completed before T. Memory: 4 bytes
 * per sector written since the last flush (unbounded only if the workload never flushes).
 */
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
