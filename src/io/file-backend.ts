/** The block backend on a real file: async (libuv thread pool) or sync (blocking calls). */
import fs from 'node:fs';
import { dirname } from 'node:path';
import { BackendError, type BlockBackend } from './backend.js';
import { chooseIo, type CacheMode, type ConcreteIoMode, type IoMode } from './io-choice.js';
import { InlineGate } from './inline-gate.js';
import { RingIo, type PiecePool } from './ring-io.js';
import { ringPoolFor } from './ring-pool.js';
import { uvDirectPoolFor } from './uv-direct.js';

export { CACHE_MODES, DEFAULT_CACHE_MODE, DEFAULT_IO_MODE, DIRECT_IO_MODES, DIRECT_UV_THREADS, IO_MODES, uvPoolThreads, type CacheMode, type ConcreteIoMode, type IoMode } from './io-choice.js';

export interface FileOpenFlags {
  readOnly?: boolean;
  /** Create the file, or empty it if it exists. */
  create?: boolean;
  /** Default auto (see io-choice.ts). */
  io?: IoMode;
  /** Default writeback (the page cache); none opens with O_DIRECT (ring or async I/O only). */
  cache?: CacheMode;
  /** Worker threads of the ring path (default DEFAULT_RING_THREADS; DEFAULT_DIRECT_THREADS with cache: none). */
  threads?: number;
}

const DONE: Promise<void> = Promise.resolve();

/**
 * A file on node:fs: positional reads and writes on one descriptor, in one of three ways
 * (ConcreteIoMode, chosen by io-choice.ts). async: the callback API (fs.read / fs.write, which
 * libuv's thread pool runs in parallel); in `npm run bench:backend` it did 2-3.5x as many 4 KiB
 * reads per second as FileHandle.read at 32 in flight. sync: blocking calls on the main thread.
 * ring: a pool of worker threads on shared memory, shared by the process's files (ring-pool.ts).
 * cache: none (O_DIRECT) needs aligned buffers: it runs on the ring's, or in async mode on
 * aligned slots read and written by libuv's pool (uv-direct.ts); both through RingIo. Opening, truncating, stat, flush in ring
 * mode, and close stay on libuv in every mode (rare, and not on the request path).
 *
 * A raw descriptor has no FileHandle to guard it, so this class does: every operation holds the
 * descriptor (`inflight`) from its first system call to its last callback; close() stops new
 * operations at once, waits for the held ones, and only then closes the descriptor. No call is
 * ever issued on a closed descriptor number, which a later open() may have reused.
 */
export class FileBackend implements BlockBackend {
  private inflight = 0;
  private closing: Promise<void> | undefined;
  private drained: (() => void) | undefined;

  private constructor(
    private readonly fd: number,
    readonly name: string,
    readonly readOnly: boolean,
    /** The path in use, and why (auto's rule, or "chosen"). */
    readonly io: ConcreteIoMode,
    readonly ioReason: string,
    readonly cache: CacheMode,
    pool: PiecePool | null,
    private readonly threads: number | undefined,
  ) {
    this.ring = pool && new RingIo(pool, fd, cache === 'none');
    this.gate = io === 'adaptive' ? new InlineGate() : null;
  }

  /** The ring path's requests on this file; started at the first hand-off in adaptive mode. */
  private ring: RingIo | null;
  /** Adaptive mode's switch between inline and ring requests (null in other modes). */
  readonly gate: InlineGate | null;

  /** Threads of the pool this file's requests use: the ring's workers, or libuv's with cache: none in async mode (null before any went to one). */
  get ringThreads(): number | null {
    return this.ring?.pool.threads ?? null;
  }

  /**
   * Opens an existing file (read-write unless `readOnly`); `create` creates the file, or
   * empties it if it exists. The open itself is asynchronous in every I/O mode.
   */
  static async open(path: string, opts: FileOpenFlags = {}): Promise<FileBackend> {
    const readOnly = opts.readOnly ?? false;
    const cache = opts.cache ?? 'writeback';
    const choice = chooseIo(path, opts.io ?? 'auto', cache);
    const c = fs.constants;
    const flags = (readOnly ? c.O_RDONLY : c.O_RDWR | (opts.create ? c.O_CREAT | c.O_TRUNC : 0)) | (cache === 'none' ? c.O_DIRECT : 0);
    let fd: number;
    try {
      fd = await new Promise<number>((resolve, reject) => fs.open(path, flags, 0o666, (err, fd) => (err ? reject(err) : resolve(fd))));
    } catch (err) {
      if (cache === 'none' && (err as NodeJS.ErrnoException).code === 'EINVAL') throw directRefused(path);
      throw wrap(err, path, readOnly ? 'open for reading' : 'open for writing');
    }
    let pool: PiecePool | null = null;
    if (choice.io === 'ring' || cache === 'none') {
      try {
        const direct = cache === 'none' ? { dir: dirname(path), fd } : null;
        pool = choice.io === 'async' ? uvDirectPoolFor(dirname(path), fd) : ringPoolFor(opts.threads, direct);
        if (!pool) throw directRefused(path);
      } catch (err) {
        fs.closeSync(fd);
        throw err instanceof BackendError ? err : wrap(err, path, 'open with O_DIRECT');
      }
    }
    return new FileBackend(fd, path, readOnly, choice.io, choice.reason, cache, pool, opts.threads);
  }

  read(buf: Uint8Array, offset: number): Promise<void> {
    if (this.gate) return this.gate.takeInline() ? this.timed(() => this.readNow(buf, offset)) : this.handedOff(this.onRing('read', buf, offset));
    if (this.io === 'ring' || this.cache === 'none') return this.onRing('read', buf, offset);
    return this.io === 'sync' ? settled(() => this.readNow(buf, offset)) : this.readAsync(buf, offset);
  }

  write(buf: Uint8Array, offset: number): Promise<void> {
    if (this.gate) return this.gate.takeInline() ? this.timed(() => this.writeNow(buf, offset)) : this.handedOff(this.onRing('write', buf, offset));
    if (this.io === 'ring' || this.cache === 'none') return this.onRing('write', buf, offset);
    return this.io === 'sync' ? settled(() => this.writeNow(buf, offset)) : this.writeAsync(buf, offset);
  }

  /** An adaptive inline request: blocking, timed for the gate (performance.now: no BigInts; a reading took about 68 ns here against 85-100 for hrtime.bigint). */
  private timed(op: () => void): Promise<void> {
    const t0 = performance.now();
    const p = settled(op);
    this.gate!.took((performance.now() - t0) * 1e6);
    return p;
  }

  /** An adaptive request handed to the ring: its time to completion, for the gate (a failure tells nothing). */
  private handedOff(io: Promise<void>): Promise<void> {
    const t0 = performance.now();
    return io.then(() => this.gate!.offloadTook((performance.now() - t0) * 1e6));
  }

  /**
   * The ring mode's read and write (and cache: none's on libuv's pool): the same checks, hold and
   * messages, on the pool; a promise chain, not an async frame (an aligned read of one slot is
   * the pool's promise and two reactions).
   */
  private onRing(op: 'read' | 'write', buf: Uint8Array, offset: number): Promise<void> {
    let ring: RingIo;
    try {
      if (op === 'write') this.checkWritable(`write ${buf.length} bytes at ${offset}`);
      checkRange(this.name, op, buf.length, offset);
      ring = this.ring ??= new RingIo(ringPoolFor(this.threads, null)!, this.fd, false); // before the hold: a throw here must not leave it held (close would wait forever)
      this.hold(op, buf.length, offset);
    } catch (err) {
      return Promise.reject(err);
    }
    let io: Promise<void>;
    try {
      io = op === 'read' ? ring.read(buf, offset) : ring.write(buf, offset);
    } catch (err) {
      io = Promise.reject(err);
    }
    return io.then(
      () => this.release(),
      (err: unknown) => {
        this.release();
        throw wrap(err, this.name, `${op} ${buf.length} bytes at ${offset}`);
      },
    );
  }

  flush(): Promise<void> {
    return this.io === 'sync' ? settled(() => this.flushNow()) : this.flushAsync();
  }

  private async readAsync(buf: Uint8Array, offset: number): Promise<void> {
    checkRange(this.name, 'read', buf.length, offset);
    this.hold('read', buf.length, offset);
    try {
      let done = 0;
      while (done < buf.length) {
        const n = await pread(this.fd, buf, done, buf.length - done, offset + done);
        if (n === 0) {
          buf.fill(0, done); // past the end: a hole
          break;
        }
        done += n;
      }
    } catch (err) {
      throw wrap(err, this.name, `read ${buf.length} bytes at ${offset}`);
    } finally {
      this.release();
    }
  }

  private async writeAsync(buf: Uint8Array, offset: number): Promise<void> {
    this.checkWritable(`write ${buf.length} bytes at ${offset}`);
    checkRange(this.name, 'write', buf.length, offset);
    this.hold('write', buf.length, offset);
    try {
      let done = 0;
      while (done < buf.length) {
        const n = await pwrite(this.fd, buf, done, buf.length - done, offset + done);
        if (n <= 0) throw new BackendError('EIO', 'the system wrote no bytes');
        done += n;
      }
    } catch (err) {
      throw wrap(err, this.name, `write ${buf.length} bytes at ${offset}`);
    } finally {
      this.release();
    }
  }

  private async flushAsync(): Promise<void> {
    this.hold('flush');
    try {
      if (this.readOnly) return;
      await new Promise<void>((resolve, reject) => fs.fdatasync(this.fd, (err) => (err ? reject(err) : resolve())));
    } catch (err) {
      throw wrap(err, this.name, 'flush');
    } finally {
      this.release();
    }
  }

  /** The sync mode's read: the same checks, loop and messages, in blocking calls. */
  private readNow(buf: Uint8Array, offset: number): void {
    checkRange(this.name, 'read', buf.length, offset);
    this.hold('read', buf.length, offset);
    try {
      let done = 0;
      while (done < buf.length) {
        const n = fs.readSync(this.fd, buf, done, buf.length - done, offset + done);
        if (n === 0) {
          buf.fill(0, done);
          break;
        }
        done += n;
      }
    } catch (err) {
      throw wrap(err, this.name, `read ${buf.length} bytes at ${offset}`);
    } finally {
      this.release();
    }
  }

  private writeNow(buf: Uint8Array, offset: number): void {
    this.checkWritable(`write ${buf.length} bytes at ${offset}`);
    checkRange(this.name, 'write', buf.length, offset);
    this.hold('write', buf.length, offset);
    try {
      let done = 0;
      while (done < buf.length) {
        const n = fs.writeSync(this.fd, buf, done, buf.length - done, offset + done);
        if (n <= 0) throw new BackendError('EIO', 'the system wrote no bytes');
        done += n;
      }
    } catch (err) {
      throw wrap(err, this.name, `write ${buf.length} bytes at ${offset}`);
    } finally {
      this.release();
    }
  }

  private flushNow(): void {
    this.hold('flush');
    try {
      if (!this.readOnly) fs.fdatasyncSync(this.fd);
    } catch (err) {
      throw wrap(err, this.name, 'flush');
    } finally {
      this.release();
    }
  }

  async truncate(size: number): Promise<void> {
    this.checkWritable(`truncate to ${size} bytes`);
    if (!Number.isSafeInteger(size) || size < 0) {
      throw new BackendError('EINVAL', `${this.name}: cannot truncate to ${size} bytes: not a byte count`);
    }
    this.hold('truncate');
    try {
      await new Promise<void>((resolve, reject) => fs.ftruncate(this.fd, size, (err) => (err ? reject(err) : resolve())));
    } catch (err) {
      throw wrap(err, this.name, `truncate to ${size} bytes`);
    } finally {
      this.release();
    }
  }

  async size(): Promise<number> {
    this.hold('stat');
    try {
      return await new Promise<number>((resolve, reject) =>
        fs.fstat(this.fd, (err, st) => (err ? reject(err) : resolve(st.size))),
      );
    } catch (err) {
      throw wrap(err, this.name, 'stat');
    } finally {
      this.release();
    }
  }

  /** Waits for operations in flight, then closes. Later operations fail with EBADF; closing twice is fine. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.inflight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
      try {
        await new Promise<void>((resolve, reject) => fs.close(this.fd, (err) => (err ? reject(err) : resolve())));
      } catch (err) {
        throw wrap(err, this.name, 'close');
      }
    })();
    return this.closing;
  }

  /** Takes a hold on the descriptor for one operation, or throws EBADF once close() began. */
  private hold(op: string, length?: number, offset?: number): void {
    if (this.closing) {
      const what = length === undefined ? op : `${op} ${length} bytes at ${offset}`;
      throw new BackendError('EBADF', `${this.name}: cannot ${what}: the file is closed`);
    }
    this.inflight++;
  }

  private release(): void {
    if (--this.inflight === 0 && this.drained) {
      const drained = this.drained;
      this.drained = undefined;
      drained();
    }
  }

  private checkWritable(what: string): void {
    if (this.readOnly) throw new BackendError('EROFS', `${this.name}: cannot ${what}: opened read-only`);
  }
}

/** Runs a blocking operation; its error becomes a rejected promise, as in async mode. */
function settled(op: () => void): Promise<void> {
  try {
    op();
    return DONE;
  } catch (err) {
    return Promise.reject(err);
  }
}

function pread(fd: number, buf: Uint8Array, at: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) =>
    fs.read(fd, buf, at, length, position, (err, n) => (err ? reject(err) : resolve(n))),
  );
}

function pwrite(fd: number, buf: Uint8Array, at: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) =>
    fs.write(fd, buf, at, length, position, (err, n) => (err ? reject(err) : resolve(n))),
  );
}

/** Offsets and ends must be byte counts below 2^53 (BlockBackend's contract). */
function checkRange(name: string, op: string, length: number, offset: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(offset + length)) {
    throw new BackendError('EINVAL', `${name}: cannot ${op} ${length} bytes at ${offset}: not a byte offset`);
  }
}

/** Keeps a BackendError as it is; gives anything else an errno-style code and names the file. */
function wrap(err: unknown, name: string, what: string): BackendError {
  if (err instanceof BackendError) {
    return err.message.startsWith(`${name}:`) ? err : new BackendError(err.code, `${name}: cannot ${what}: ${err.message}`);
  }
  const e = err as NodeJS.ErrnoException;
  const code = typeof e?.code === 'string' && /^E[A-Z0-9]+$/.test(e.code) ? e.code : e?.code?.startsWith('ERR_') ? 'EINVAL' : 'EIO';
  return new BackendError(code, `${name}: cannot ${what}: ${e?.message ?? String(err)}`);
}

/** The filesystem under `path` does not take O_DIRECT (cache: none). */
function directRefused(path: string): BackendError {
  return new BackendError('EINVAL', `${path}: cannot open with cache: none: this filesystem refuses O_DIRECT (direct I/O bypassing the page cache); use cache: writeback, or put the image on a filesystem that supports O_DIRECT (ext4, xfs, btrfs)`);
}
