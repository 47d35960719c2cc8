/** A sparse in-memory block backend (and the store several backends may share). */
import { forEachChunk } from '../util/chunks.js';
import { BackendError, type BlockBackend } from './backend.js';

const PAGE = 65536;

/** The bytes of an in-memory device; several backends may share one (reopen tests). */
export class MemoryStore {
  readonly pages = new Map<number, Uint8Array>();
  length = 0;

  /** Copy bytes out; holes and the region past the end read as zeros. */
  copyOut(buf: Uint8Array, offset: number): void {
    // Each byte written once: page bytes where a page holds them, zeros elsewhere.
    forEachChunk(offset, buf.length, PAGE, (pageNo, inPage, done, n) => {
      const valid = Math.max(0, Math.min(n, this.length - offset - done));
      const page = valid > 0 ? this.pages.get(pageNo) : undefined;
      if (page) {
        buf.set(page.subarray(inPage, inPage + valid), done);
        if (valid < n) buf.fill(0, done + valid, done + n);
      } else {
        buf.fill(0, done, done + n);
      }
    });
  }

  /** Copy bytes in, extending the device past its end; an empty write changes nothing (as pwrite). */
  copyIn(buf: Uint8Array, offset: number): void {
    if (buf.length === 0) return;
    forEachChunk(offset, buf.length, PAGE, (pageNo, inPage, done, n) => {
      let page = this.pages.get(pageNo);
      if (!page) {
        page = new Uint8Array(PAGE);
        this.pages.set(pageNo, page);
      }
      page.set(buf.subarray(done, done + n), inPage);
    });
    this.length = Math.max(this.length, offset + buf.length);
  }

  truncate(size: number): void {
    for (const pageNo of [...this.pages.keys()]) {
      if (pageNo * PAGE >= size) this.pages.delete(pageNo);
    }
    this.pages.get(Math.floor(size / PAGE))?.fill(0, size % PAGE);
    this.length = size;
  }
}

/** A sparse in-memory device: pages allocated on first write, holes read as zeros. */
export class MemoryBackend implements BlockBackend {
  private closed = false;

  constructor(
    readonly store = new MemoryStore(),
    readonly readOnly = false,
    readonly name = 'memory',
  ) {}

  async read(buf: Uint8Array, offset: number): Promise<void> {
    const what = `read ${buf.length} bytes at ${offset}`;
    this.assertOpen(what);
    this.checkRange(what, buf.length, offset);
    this.store.copyOut(buf, offset);
  }

  async write(buf: Uint8Array, offset: number): Promise<void> {
    const what = `write ${buf.length} bytes at ${offset}`;
    this.assertWritable(what);
    this.checkRange(what, buf.length, offset);
    this.store.copyIn(buf, offset);
  }

  async flush(): Promise<void> {
    this.assertOpen('flush');
  }

  async truncate(size: number): Promise<void> {
    const what = `truncate to ${size} bytes`;
    this.assertWritable(what);
    this.checkRange(what, 0, size);
    this.store.truncate(size);
  }

  async size(): Promise<number> {
    this.assertOpen('stat');
    return this.store.length;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  protected assertOpen(what: string): void {
    if (this.closed) throw new BackendError('EBADF', `${this.name}: cannot ${what}: closed`);
  }

  protected assertWritable(what: string): void {
    this.assertOpen(what);
    if (this.readOnly) throw new BackendError('EROFS', `${this.name}: cannot ${what}: opened read-only`);
  }

  /** Offsets and ends must be byte counts below 2^53 (BlockBackend's contract). */
  protected checkRange(what: string, length: number, offset: number): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(offset + length)) {
      throw new BackendError('EINVAL', `${this.name}: cannot ${what}: not a byte offset`);
    }
  }
}
