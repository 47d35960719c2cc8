/**
 * A trace file's bytes, streamed and decompressed (.gz by node:zlib, .zst by fzstd, found by
 * their magic bytes, not the name; .zst frames walked and checksummed by ZstdFrames), with the count of file bytes read and an optional sha256 of
 * the file as it streams. A cut or corrupt compressed stream is a TraceError naming the offset.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, openSync, readSync, closeSync } from 'node:fs';
import { Readable, pipeline } from 'node:stream';
import { constants, createGunzip, gunzipSync } from 'node:zlib';
import { whyUnreadable } from '../../util/why-unreadable.js';
import { isUtf16 } from '../../util/utf16.js';
import { TraceError } from './types.js';
import { ZstdFrames } from './zstd-frames.js';

export type Compression = 'none' | 'gzip' | 'zstd';

const CHUNK = 1 << 20;

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** Text editors on Windows start files with a byte order mark; it is not part of the first line. */
export function withoutBom(b: Buffer): Buffer {
  return b.length >= 3 && b[0] === BOM[0] && b[1] === BOM[1] && b[2] === BOM[2] ? b.subarray(3) : b;
}

export function utf16Error(file: string): TraceError {
  return new TraceError(file, 'byte offset 0: the trace is UTF-16 text (a UTF-16 byte order mark, or NUL bytes between its characters); traces are read as UTF-8 or ASCII: convert it first, e.g. iconv -f UTF-16 -t UTF-8');
}

export function compressionOf(magic: Buffer): Compression {
  if (magic[0] === 0x1f && magic[1] === 0x8b) return 'gzip';
  // a zstd frame, or a skippable frame (pzstd starts its files with one)
  if (magic.readUInt32LE(0) === 0xfd2fb528 || (magic.readUInt32LE(0) & 0xfffffff0) === 0x184d2a50) return 'zstd';
  return 'none';
}

/** The first `n` bytes of the file (fewer when it is shorter); an unreadable file is a TraceError. */
export function readHead(file: string, n: number): Buffer {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw new TraceError(file, `cannot read the trace: ${whyUnreadable(err)}`);
  }
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0));
  } catch (err) {
    throw new TraceError(file, `cannot read the trace: ${whyUnreadable(err)}`);
  } finally {
    closeSync(fd);
  }
}

/** Up to about `n` decompressed bytes from the start, for format detection (errors ignored once something decoded). */
export function decompressedHead(file: string, n = 64 * 1024): Buffer {
  const raw = readHead(file, n);
  const kind = raw.length >= 4 ? compressionOf(raw) : 'none';
  if (kind === 'gzip') {
    try {
      return withoutBom(gunzipSync(raw, { finishFlush: constants.Z_SYNC_FLUSH }));
    } catch {
      return Buffer.alloc(0);
    }
  }
  if (kind === 'zstd') {
    const parts: Buffer[] = [];
    let length = 0;
    try {
      const frames = new ZstdFrames(file, (d) => {
        parts.push(Buffer.from(d.subarray(0, n)));
        length += d.length;
      });
      for (let at = 0; at < raw.length && length < n; ) at = frames.push(raw, at);
    } catch (err) {
      // a frame cut at n bytes: whatever came out is enough; nothing out: that is the problem (a 2 GiB window, garbage)
      if (!parts.length) throw err;
    }
    return withoutBom(Buffer.concat(parts));
  }
  return withoutBom(raw);
}

export class TraceInput {
  /** File bytes read so far. */
  fileBytes = 0;
  readonly compression: Compression;
  private readonly hash: Hash | null;
  private sha256: string | null = null;
  private complete = false;

  constructor(
    readonly file: string,
    opts: { hash?: boolean } = {},
  ) {
    const head = readHead(file, 4);
    this.compression = head.length >= 4 ? compressionOf(head) : 'none';
    const named = /\.gz$/i.test(file) ? 'gzip' : /\.zst$/i.test(file) ? 'zstd' : null;
    if (named && this.compression !== named) {
      const found = head.length ? `found ${head.toString('hex').replace(/(..)(?!$)/g, '$1 ')}` : 'the file is empty';
      throw new TraceError(file, `byte offset 0: expected ${named} data (the name ends in .${named === 'gzip' ? 'gz' : 'zst'}; magic ${named === 'gzip' ? '1f 8b' : '28 b5 2f fd'}), ${found}; rename the file to match its contents`);
    }
    this.hash = opts.hash ? createHash('sha256') : null;
  }

  /** sha256 of the whole file once `chunks()` has read it to the end, else null. */
  digest(): string | null {
    if (this.hash && this.complete && this.sha256 === null) this.sha256 = this.hash.digest('hex');
    return this.sha256;
  }

  /** The decompressed bytes, in chunks of about 1 MiB; `text` drops a UTF-8 byte order mark at the start. */
  async *chunks(text = false): AsyncGenerator<Buffer> {
    if (!text) {
      yield* this.decompressed();
      return;
    }
    let first = true;
    for await (const c of this.decompressed()) {
      if (first && isUtf16(c)) throw utf16Error(this.file);
      yield first ? withoutBom(c) : c;
      first = false;
    }
  }

  private async *decompressed(): AsyncGenerator<Buffer> {
    const raw = this.raw();
    if (this.compression === 'none') {
      yield* raw;
      return;
    }
    if (this.compression === 'gzip') {
      const gunzip = createGunzip({ chunkSize: CHUNK });
      pipeline(Readable.from(raw), gunzip, () => {});
      try {
        for await (const c of gunzip) yield c as Buffer;
      } catch (err) {
        throw this.cut('gzip', err);
      }
      return;
    }
    yield* this.zstd(raw);
  }

  private async *raw(): AsyncGenerator<Buffer> {
    const stream = createReadStream(this.file, { highWaterMark: CHUNK });
    try {
      for await (const c of stream) {
        this.fileBytes += (c as Buffer).length;
        this.hash?.update(c as Buffer);
        yield c as Buffer;
      }
      this.complete = true;
    } catch (err) {
      throw new TraceError(this.file, `cannot read the trace: ${whyUnreadable(err)}`);
    } finally {
      stream.destroy();
    }
  }

  private async *zstd(raw: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
    let out: Buffer[] = [];
    const frames = new ZstdFrames(this.file, (b) => out.push(b));
    try {
      for await (const c of raw) {
        for (let at = 0; at < c.length; ) {
          at = frames.push(c, at);
          if (out.length) {
            yield* out;
            out = [];
          }
        }
      }
      frames.end();
    } catch (err) {
      if (err instanceof TraceError) throw err;
      throw this.cut('zstd', err);
    }
    yield* out;
  }

  private cut(kind: string, err: unknown): TraceError {
    if (err instanceof TraceError) return err;
    const why = (err as Error).message;
    return new TraceError(this.file, `truncated or corrupt ${kind} data at byte offset ${this.fileBytes} of the file (${why}); the trace was read up to there`);
  }
}
