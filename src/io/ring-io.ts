/**
 * One file's requests on a ring pool (or, for cache: none, libuv's: uv-direct.ts): splits requests into slot-sized pieces, fills reads past
 * the end with zeros, and with O_DIRECT (cache: none) bounces requests that are not aligned to
 * the device's block size (probed by the pool: RingPool.directAlign) as QEMU does: a read reads the aligned blocks around it; a write reads the
 * partial first and last blocks, merges, and writes the aligned range, while no other write to
 * those blocks is in flight (so two merges of one block cannot lose each other's bytes). Files
 * keep their exact size: a merge past the end trims the padding it wrote.
 */
import fs from 'node:fs';
import { BackendError } from './backend.js';
import { SLOT_BYTES } from './ring-layout.js';

const DONE: Promise<void> = Promise.resolve();
import type { PieceResult } from './ring-pool.js';

/** Where a file's pieces run: the ring (ring-pool.ts) or, for cache: none, libuv's pool (uv-direct.ts). */
export interface PiecePool {
  read(fd: number, dst: Uint8Array, offset: number): Promise<PieceResult>;
  write(fd: number, src: Uint8Array, offset: number): Promise<PieceResult>;
  /** O_DIRECT offset and length alignment. */
  readonly directAlign: number;
  readonly threads: number;
}

interface WriteRange {
  lo: number;
  hi: number;
  merge: boolean;
  /** Made only when another write waits for this one (most never have a waiter). */
  done: Promise<void> | null;
  finished: (() => void) | null;
}

export class RingIo {
  /** With O_DIRECT: aligned ranges of the writes in flight. */
  private readonly writes = new Set<WriteRange>();
  /** How many of them are merges: while none is, an aligned write clashes with nothing and skips the scan. */
  private merges = 0;
  /** O_DIRECT offset and length alignment (the device's logical block size). */
  private readonly align: number;

  constructor(
    readonly pool: PiecePool,
    private readonly fd: number,
    readonly direct: boolean,
  ) {
    this.align = pool.directAlign;
  }

  /** No async frame of its own: an aligned read of one slot is the pool's promise and one reaction. */
  read(buf: Uint8Array, offset: number): Promise<void> {
    if (buf.length === 0) return DONE;
    if (this.direct && !this.aligned(offset, buf.length)) return this.readBounced(buf, offset);
    return this.readAligned(buf, offset);
  }

  /** O_DIRECT, not aligned: the aligned blocks around it, then the caller's bytes out of them. */
  private async readBounced(buf: Uint8Array, offset: number): Promise<void> {
    const lo = this.down(offset);
    const tmp = new Uint8Array(this.up(offset + buf.length) - lo);
    await this.readAligned(tmp, lo);
    buf.set(tmp.subarray(offset - lo, offset - lo + buf.length));
  }

  async write(buf: Uint8Array, offset: number): Promise<void> {
    if (buf.length === 0) return;
    if (!this.direct) return this.writePieces(buf, offset);
    const merge = !this.aligned(offset, buf.length);
    const lo = this.down(offset);
    const end = offset + buf.length;
    const hi = this.up(end);
    // A merge that ends past the end of the file would leave it a whole block long: it locks
    // everything from lo on, and trims the file back to where the write ends afterwards.
    const extending = merge && hi !== end && fs.fstatSync(this.fd).size < hi;
    const lockHi = extending ? Infinity : hi;
    while (merge || this.merges > 0) {
      const clash = [...this.writes].filter((w) => w.lo < lockHi && lo < w.hi && (merge || w.merge));
      if (clash.length === 0) break;
      await Promise.all(clash.map((w) => (w.done ??= new Promise<void>((r) => (w.finished = r)))));
    }
    const range: WriteRange = { lo, hi: lockHi, merge, done: null, finished: null };
    this.writes.add(range);
    if (merge) this.merges++;
    try {
      if (!merge) return await this.writePieces(buf, offset);
      const sizeBefore = extending ? fs.fstatSync(this.fd).size : 0;
      const tmp = new Uint8Array(hi - lo);
      const partialHead = offset !== lo;
      const partialTail = end !== hi;
      if (partialHead) await this.readAligned(tmp.subarray(0, this.align), lo);
      if (partialTail && !(partialHead && hi - lo === this.align)) await this.readAligned(tmp.subarray(tmp.length - this.align), hi - this.align);
      tmp.set(buf, offset - lo);
      await this.writePieces(tmp, lo);
      if (extending && sizeBefore < hi) fs.ftruncateSync(this.fd, Math.max(sizeBefore, end));
    } finally {
      this.writes.delete(range);
      if (merge) this.merges--;
      range.finished?.();
    }
  }

  private aligned(offset: number, length: number): boolean {
    return offset % this.align === 0 && length % this.align === 0;
  }

  private down(n: number): number {
    return n - (n % this.align);
  }

  private up(n: number): number {
    return n % this.align === 0 ? n : n - (n % this.align) + this.align;
  }

  private readAligned(buf: Uint8Array, offset: number): Promise<void> {
    if (buf.length <= SLOT_BYTES) {
      return this.pool.read(this.fd, buf, offset).then((r) => {
        const n = ok(r);
        if (n < buf.length) buf.fill(0, n); // past the end: a hole
      });
    }
    const pieces: Promise<void>[] = [];
    for (let at = 0; at < buf.length; at += SLOT_BYTES) pieces.push(this.readAligned(buf.subarray(at, Math.min(buf.length, at + SLOT_BYTES)), offset + at));
    return settleAll(pieces);
  }

  private async writePieces(buf: Uint8Array, offset: number): Promise<void> {
    if (buf.length <= SLOT_BYTES) {
      ok(await this.pool.write(this.fd, buf, offset));
      return;
    }
    const pieces: Promise<void>[] = [];
    for (let at = 0; at < buf.length; at += SLOT_BYTES) pieces.push(this.writePieces(buf.subarray(at, Math.min(buf.length, at + SLOT_BYTES)), offset + at));
    await settleAll(pieces);
  }
}

/** Waits for every piece (none is left running on a buffer the caller gets back), then throws the first error. */
async function settleAll(pieces: Promise<void>[]): Promise<void> {
  const rs = await Promise.allSettled(pieces);
  const bad = rs.find((r) => r.status === 'rejected');
  if (bad) throw (bad as PromiseRejectedResult).reason;
}

function ok(r: PieceResult): number {
  if (r.error) throw new BackendError(r.error.code, r.error.message);
  return r.bytes;
}
