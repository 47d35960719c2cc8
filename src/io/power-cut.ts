/**
 * A disk's volatile write cache under the deterministic scheduler: a power cut takes back unflushed writes.
 */
import { Rng } from '../util/random.js';
import { BackendError, type BlockBackend, type IoEvent } from './backend.js';

/** The code every request fails with once the power is cut (not a real errno: told apart from injected EIO). */
export const POWER_CUT_CODE = 'EPOWER';
const SECTOR = 512;

/** A completed write not yet covered by a flush: what it overwrote, so a cut can take it back. */
interface UndoEntry {
  inner: BlockBackend;
  /** Completion order across all devices. */
  order: number;
  offset: number;
  length: number;
  /** The bytes it overwrote (zeros past the old end of file). */
  old: Uint8Array;
  oldSize: number;
}

export interface PowerCutStats {
  /** Scheduler requests completed before the cut. */
  backendRequests: number;
  /** The event whose nth request triggered the cut (at_event), if any. */
  event?: IoEvent;
  writesUndone: number;
  /** Sectors of undone multi-sector writes that kept the new data. */
  sectorsTorn: number;
}

/**
 * A disk's volatile write cache as the deterministic scheduler sees it. A write is applied to
 * the inner backend when it completes; it becomes durable when a flush of the same device that
 * was issued after it completed, completes (a write completing while a flush is in flight is not
 * covered by that flush). Until then its old bytes are kept. At the cut every non-durable write
 * is undone, newest first, file growth included; with `tear`, an undone multi-sector write keeps
 * a seeded random subset of its 512-byte sectors. Memory: the bytes written since the last flush.
 */
export class PowerCut {
  private readonly logs = new Map<BlockBackend, UndoEntry[]>();
  /** File sizes as the writes left them (saves a stat per write). */
  private readonly sizes = new Map<BlockBackend, number>();
  private readonly rng: Rng;
  private completed = 0;
  private eventsSeen = 0;
  private state: 'armed' | 'cut' | 'undone' = 'armed';
  private stats_: PowerCutStats | null = null;
  private settle!: (err?: unknown) => void;
  /** Resolves once the cut happened and every non-durable write has been undone (rejects if undoing failed). */
  readonly undone = new Promise<void>((resolve, reject) => (this.settle = (err) => (err === undefined ? resolve() : reject(err))));

  constructor(
    private readonly opts: { seed: number; tear: boolean; atEvent?: { event: IoEvent; nth: number }; onCut?: () => void },
  ) {
    this.rng = new Rng(opts.seed, 0x9c07);
    this.undone.catch(() => {}); // whoever awaits it sees the error; no one else must
  }

  get isCut(): boolean {
    return this.state !== 'armed';
  }

  /** Set once the undo is done. */
  get stats(): PowerCutStats | null {
    return this.stats_;
  }

  error(device: string): BackendError {
    return new BackendError(POWER_CUT_CODE, `${device}: the power was cut`);
  }

  /** A request was issued: true if it is the nth of the cut's event (it and all later ones fail). */
  triggers(event: IoEvent | undefined): boolean {
    const at = this.opts.atEvent;
    return !!at && event === at.event && ++this.eventsSeen === at.nth;
  }

  /** A flush is issued: it will cover writes completed so far. */
  flushMark(): number {
    return this.completed;
  }

  /** Read what a write is about to overwrite (the scheduler runs one request at a time). */
  async capture(inner: BlockBackend, buf: Uint8Array, offset: number): Promise<Omit<UndoEntry, 'order'>> {
    const old = new Uint8Array(buf.length);
    await inner.read(old, offset);
    return { inner, offset, length: buf.length, old, oldSize: this.sizes.get(inner) ?? (await inner.size()) };
  }

  /** Someone else changed the file's size (a truncate): ask the file next time. */
  forgetSize(inner: BlockBackend): void {
    this.sizes.delete(inner);
  }

  applied(entry: Omit<UndoEntry, 'order'>): void {
    this.sizes.set(entry.inner, Math.max(entry.oldSize, entry.offset + entry.length));
    let log = this.logs.get(entry.inner);
    if (!log) this.logs.set(entry.inner, (log = []));
    log.push({ ...entry, order: ++this.completed });
  }

  /** A flush of `inner` issued at `mark` completed: the writes it covers are durable. */
  flushed(inner: BlockBackend, mark: number): void {
    const log = this.logs.get(inner);
    if (!log) return;
    let n = 0;
    while (n < log.length && log[n].order <= mark) n++;
    log.splice(0, n);
  }

  markCut(backendRequests: number): void {
    this.state = 'cut';
    this.stats_ = { backendRequests, writesUndone: 0, sectorsTorn: 0 };
    if (this.opts.atEvent && this.eventsSeen >= this.opts.atEvent.nth) this.stats_.event = this.opts.atEvent.event;
    this.opts.onCut?.();
  }

  /** The scheduler finished undo() (`err`: it failed): settles `undone`. */
  undoFinished(err?: unknown): void {
    this.state = 'undone';
    this.settle(err);
  }

  /** Take back every non-durable write, newest first. Call once, with no request running. */
  async undo(): Promise<void> {
    const s = this.stats_!;
    const all = [...this.logs.values()].flat().sort((a, b) => b.order - a.order);
    this.logs.clear();
    // Bytes kept by a torn write must survive the truncation of an older write's file growth.
    const keptEnd = new Map<BlockBackend, number>();
    for (const e of all) {
      const kept = this.keptSectors(e);
      const first = Math.floor(e.offset / SECTOR);
      const end = e.offset + e.length;
      for (let i = 0; i < kept.length; ) {
        let j = i;
        while (j < kept.length && kept[j] === kept[i]) j++;
        const a = Math.max(e.offset, (first + i) * SECTOR);
        const b = Math.min(end, (first + j) * SECTOR);
        if (kept[i]) {
          s.sectorsTorn += j - i;
          keptEnd.set(e.inner, Math.max(keptEnd.get(e.inner) ?? 0, b));
        } else {
          await e.inner.write(e.old.subarray(a - e.offset, b - e.offset), a);
        }
        i = j;
      }
      const target = Math.max(e.oldSize, keptEnd.get(e.inner) ?? 0);
      if ((this.sizes.get(e.inner) ?? (await e.inner.size())) > target) {
        await e.inner.truncate(target);
        this.sizes.set(e.inner, target);
      }
      s.writesUndone++;
    }
  }

  /** Per sector of the write: true = keeps the new data. Only multi-sector writes tear. */
  private keptSectors(e: UndoEntry): boolean[] {
    const n = Math.ceil((e.offset + e.length) / SECTOR) - Math.floor(e.offset / SECTOR);
    const kept = new Array<boolean>(n).fill(false);
    if (this.opts.tear && n > 1) for (let i = 0; i < n; i++) kept[i] = this.rng.below(2) === 1;
    return kept;
  }
}
