/**
 * cache: none (O_DIRECT) on libuv's thread pool: fs.read / fs.write (the callback API) into
 * 4 KiB-aligned slots of one probed block of memory, as the async path does with the caller's
 * buffers. Native threads, no JavaScript per request off the main thread, and one wake-up of the
 * main thread for every batch of completions: at depth 32 on this 2-core machine it did about
 * 1.3-1.6x the 4 KiB O_DIRECT reads per second of the ring's 8 JavaScript workers (docs/engine.md,
 * docs/peers.md).
 * Its depth at the device is libuv's pool size, UV_THREADPOOL_SIZE, which only the environment
 * sets (bin/qed-bench.js raises it to DIRECT_UV_THREADS when unset; io-choice.ts's rule reads it).
 */
import fs from 'node:fs';
import { ALIGN_PAD, probeDirectAlignment } from './direct-align.js';
import { uvPoolThreads } from './io-choice.js';
import { SLOT_BYTES } from './ring-layout.js';
import type { PieceResult } from './ring-pool.js';

/** Slots: requests (or pieces of larger ones) in flight at once; more wait for a slot. */
const SLOTS = 64;

/** One per device (its alignment probed there), shared by the process's O_DIRECT files on it. */
const shared = new Map<number, UvDirectPool>();

/** The shared pool for an O_DIRECT file (its directory and descriptor, for the probe); null where O_DIRECT is refused. */
export function uvDirectPoolFor(dir: string, fd: number): UvDirectPool | null {
  const dev = fs.fstatSync(fd).dev;
  let pool = shared.get(dev);
  if (!pool) {
    const mem = new ArrayBuffer((SLOTS + 1) * SLOT_BYTES + ALIGN_PAD);
    const found = probeDirectAlignment(mem, SLOTS * SLOT_BYTES, dir, fd);
    if (!found) return null;
    pool = new UvDirectPool(mem, found.base, found.align);
    shared.set(dev, pool);
  }
  return pool;
}

export class UvDirectPool {
  private readonly free: Uint8Array[] = [];
  /** Pieces waiting for a free slot. */
  private readonly backlog: ((slot: Uint8Array) => void)[] = [];
  /** Pieces that had to wait for a slot, since the pool started (for tests and diagnostics). */
  waited = 0;

  constructor(
    mem: ArrayBuffer,
    base: number,
    /** O_DIRECT offset and length alignment (the device's logical block size). */
    readonly directAlign: number,
  ) {
    for (let s = SLOTS - 1; s >= 0; s--) this.free.push(new Uint8Array(mem, base + s * SLOT_BYTES, SLOT_BYTES));
  }

  /** Threads the requests run on: libuv's pool. */
  get threads(): number {
    return uvPoolThreads();
  }

  /** Reads `dst.length` (at most SLOT_BYTES, aligned) bytes at `offset` into `dst`; bytes past the end are left to the caller. */
  read(fd: number, dst: Uint8Array, offset: number): Promise<PieceResult> {
    return this.withSlot((slot, done) =>
      fs.read(fd, slot, 0, dst.length, offset, (err, n) => {
        if (!err) dst.set(slot.subarray(0, n));
        done(err, n);
      }),
    );
  }

  /** Writes `src` (at most SLOT_BYTES, aligned) at `offset`, calling again after a short write as the ring's worker does. */
  write(fd: number, src: Uint8Array, offset: number): Promise<PieceResult> {
    return this.withSlot((slot, done) => {
      slot.set(src);
      const more = (at: number): void =>
        fs.write(fd, slot, at, src.length - at, offset + at, (err, n) => {
          if (err || n === 0 || at + n === src.length) done(err ?? (n === 0 ? Object.assign(new Error('the system wrote no bytes'), { code: 'EIO' }) : null), at + n);
          else {
            try {
              more(at + n);
            } catch (e) {
              done(e as NodeJS.ErrnoException, at + n); // refused before it started: the slot goes on
            }
          }
        });
      more(0);
    });
  }

  private withSlot(start: (slot: Uint8Array, done: (err: NodeJS.ErrnoException | null, n: number) => void) => void): Promise<PieceResult> {
    return new Promise<PieceResult>((resolve) => {
      const go = (slot: Uint8Array): void => {
        const done = (err: NodeJS.ErrnoException | null, n: number): void => {
          const next = this.backlog.shift();
          if (next) next(slot);
          else this.free.push(slot);
          resolve(err ? { bytes: -1, error: { code: typeof err.code === 'string' ? err.code : 'EIO', message: err.message } } : { bytes: n });
        };
        try {
          start(slot, done);
        } catch (err) {
          done(err as NodeJS.ErrnoException, 0); // a call refused before it started: the slot goes on, the piece fails
        }
      };
      const slot = this.free.pop();
      if (slot) go(slot);
      else {
        this.waited++;
        this.backlog.push(go);
      }
    });
  }
}
