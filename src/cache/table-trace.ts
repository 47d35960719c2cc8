/**
 * L2 table-access trace files, as `qed-bench trace-export` writes them and `qed-bench mrc` reads:
 *   PREFIX.tables  one table id per line (the L2 table's file offset in bytes), in access order,
 *                  new tables included: the plain format other cache simulators read;
 *   PREFIX.csv     `time_ns,table,kind,op`: replay-clock time, table id, hit|miss|new, and the
 *                  request kind (read|write|zero|map).
 * Both are written as the replay goes, through a small buffer, so memory stays bounded however
 * long the replay; the reader streams too.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { TableAccessOp } from './table-access.js';
import { whyUnreadable } from '../util/why-unreadable.js';
import { isUtf16 } from '../util/utf16.js';

export const CSV_HEADER = 'time_ns,table,kind,op';

/** A trace file that cannot be read or has a bad line; the message names file:line. */
export class TableTraceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TableTraceError';
  }
}

/** Why a file operation failed, briefly: "ENOSPC: no space left on device, write". */
function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Appends text to a file in ~64 KiB writes (synchronous: the engine's listener cannot wait).
 * Opening throws a TableTraceError naming the file; a failed write (ENOSPC, EIO) does not throw
 * but is kept in `error`, and the file takes nothing more.
 */
class BufferedFile {
  private readonly fd: number;
  private buf = '';
  private closed = false;
  error: TableTraceError | null = null;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'w');
    } catch (err) {
      throw new TableTraceError(`${path}: cannot create the trace file: ${reason(err)}`);
    }
  }

  write(s: string): void {
    if (this.error) return;
    this.buf += s;
    if (this.buf.length >= 65536) this.flush();
  }

  flush(): void {
    if (this.buf && !this.error) {
      try {
        writeSync(this.fd, this.buf);
      } catch (err) {
        this.error = new TableTraceError(`${this.path}: cannot write the trace: ${reason(err)}`);
      }
    }
    this.buf = '';
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.flush();
    try {
      closeSync(this.fd);
    } catch (err) {
      this.error ??= new TableTraceError(`${this.path}: cannot write the trace: ${reason(err)}`);
    }
  }
}

/** What a writer saw, for the command's summary. */
export interface TraceCounts {
  accesses: number;
  lookups: number;
  hits: number;
  misses: number;
  inserts: number;
  distinctTables: number;
}

/**
 * Writes both trace files as the replay goes. Opening either file throws a TableTraceError
 * naming it; a write error (a full disk) does not disturb the replay: recording stops at the
 * first one, which `error` keeps for the command to report after the run.
 */
export class TableTraceWriter {
  readonly tablesPath: string;
  readonly csvPath: string;
  private readonly tables: BufferedFile;
  private readonly csv: BufferedFile;
  private readonly seen = new Set<number>();
  private readonly c = { accesses: 0, hits: 0, misses: 0, inserts: 0 };
  private failed: TableTraceError | null = null;

  constructor(prefix: string) {
    this.tablesPath = `${prefix}.tables`;
    this.csvPath = `${prefix}.csv`;
    this.tables = new BufferedFile(this.tablesPath);
    try {
      this.csv = new BufferedFile(this.csvPath);
    } catch (err) {
      this.tables.close();
      throw err;
    }
    this.csv.write(`${CSV_HEADER}\n`);
  }

  /** The first write error; the files hold the accesses before it (at most a buffer less). */
  get error(): TableTraceError | null {
    return (this.failed ??= this.tables.error ?? this.csv.error);
  }

  /** The runner's onTableAccess hook, bound. */
  readonly record = (table: number, kind: 'hit' | 'miss' | 'new', op: TableAccessOp, timeNs: number): void => {
    if (this.failed) return;
    this.c.accesses++;
    if (kind === 'hit') this.c.hits++;
    else if (kind === 'miss') this.c.misses++;
    else this.c.inserts++;
    this.seen.add(table);
    this.tables.write(`${table}\n`);
    this.csv.write(`${Math.round(timeNs)},${table},${kind},${op}\n`);
    if (this.tables.error || this.csv.error) this.failed = this.tables.error ?? this.csv.error;
  };

  counts(): TraceCounts {
    const { accesses, hits, misses, inserts } = this.c;
    return { accesses, lookups: hits + misses, hits, misses, inserts, distinctTables: this.seen.size };
  }

  /** Flush and close both files; a failure shows in `error`. */
  close(): void {
    this.tables.close();
    this.csv.close();
  }
}

/** Longest line text quoted in an error. */
const QUOTE_MAX = 40;

/**
 * Calls `onTable` with each table id of a .tables file, in order, reading it in 1 MiB chunks.
 * A line that is not a whole number (blank lines included; a final newline is fine; CRLF is
 * fine) is a TableTraceError naming file:line. Resolves to the number of ids read.
 */
export async function readTableTrace(path: string, onTable: (table: number) => void): Promise<number> {
  return readTableTraceBatches(path, (ids, n) => {
    for (let i = 0; i < n; i++) onTable(ids[i]);
  });
}

/**
 * The text of a bad line, read back from the file (it may span chunks): from its start to the
 * end of the line (the newline that ended it, without a CR before it, when `endsLine`; else the
 * first CR or LF at or after the bad byte, or the end of the file); only what a quote can show.
 */
async function lineText(fh: FileHandle, start: number, badAt: number, endsLine: boolean): Promise<string> {
  const want = 4 * (QUOTE_MAX + 1);
  const upTo = Math.min(badAt - start, want);
  const buf = Buffer.alloc(upTo + want);
  const { bytesRead } = await fh.read(buf, 0, buf.length, start);
  let end = Math.min(upTo, bytesRead);
  if (endsLine) {
    if (end > 0 && end === badAt - start && buf[end - 1] === 13) end--;
  } else {
    while (end < bytesRead && buf[end] !== 10 && buf[end] !== 13) end++;
  }
  return buf.toString('utf8', 0, end);
}

/** A compressed or UTF-16 table stream is named, not read as garbage ids (streams are read uncompressed, as ASCII). */
function refuseCompressed(path: string, head: Buffer, n: number): void {
  if (isUtf16(head.subarray(0, n))) throw new TableTraceError(`${path}: byte offset 0: UTF-16 text (a byte order mark, or NULs between characters); table streams are ASCII: convert it first, e.g. iconv -f UTF-16 -t UTF-8`);
  const kind = n >= 2 && head[0] === 0x1f && head[1] === 0x8b ? 'gzip' : n >= 4 && head.readUInt32LE(0) === 0xfd2fb528 ? 'zstd' : null;
  if (kind) throw new TableTraceError(`${path}: byte offset 0: ${kind} data; table streams are read uncompressed (decompress it first, e.g. ${kind === 'gzip' ? 'gunzip' : 'unzstd'} -k ${path})`);
}

/** Where a chunk's parse stopped, carried to the next chunk (a line may span two). */
interface ParseState {
  /** The current line's number, its value and digits so far, and whether a CR ended it. */
  line: number;
  value: number;
  digits: number;
  cr: boolean;
  /** Where the current line starts in the chunk (for the text an error quotes). */
  lineStart: number;
  /** Offset of the byte that makes the current line bad, or -1. */
  bad: number;
}

/**
 * Parses the table ids of `buf[0, len)` into `out` from index 0 and returns how many; stops at
 * the first bad byte (state.bad). A plain function over locals: the per-byte loop keeps every
 * variable in a register (variables a closure captures would live in memory). A line of digits
 * and LF or CRLF wholly in the chunk takes the fast path; the rest (a line split between
 * chunks, anything malformed) goes byte by byte through the state machine.
 */
function parseIds(buf: Uint8Array, len: number, st: ParseState, out: Float64Array): number {
  let value = st.value;
  let digits = st.digits;
  let cr = st.cr;
  let line = st.line;
  let lineStart = 0;
  let n = 0;
  let bad = -1;
  let i = 0;
  while (i < len) {
    if (digits === 0 && !cr) {
      let j = i;
      let v = 0;
      let b = buf[j];
      while (b >= 48 && b <= 57) {
        v = v * 10 + (b - 48);
        if (++j === len) break;
        b = buf[j];
      }
      if (j > i && j < len && v <= Number.MAX_SAFE_INTEGER) {
        if (b === 13 && j + 1 < len && buf[j + 1] === 10) b = buf[++j];
        if (b === 10) {
          out[n++] = v;
          line++;
          i = j + 1;
          lineStart = i;
          continue;
        }
      }
    }
    const b = buf[i];
    if (b >= 48 && b <= 57 && !cr) {
      value = value * 10 + (b - 48);
      digits++;
    } else if (b === 10) {
      if (digits === 0 || value > Number.MAX_SAFE_INTEGER) {
        bad = i;
        break;
      }
      out[n++] = value;
      line++;
      value = 0;
      digits = 0;
      cr = false;
      lineStart = i + 1;
    } else if (b === 13 && !cr) {
      cr = true;
    } else {
      bad = i;
      break;
    }
    i++;
  }
  st.value = value;
  st.digits = digits;
  st.cr = cr;
  st.line = line;
  st.lineStart = lineStart;
  st.bad = bad;
  return n;
}

/**
 * readTableTrace in batches: `onBatch(ids, n)` gets the ids of each chunk in `ids[0, n)` (a
 * buffer reused for the next batch), so a consumer loops over plain numbers with no call per
 * id. Same errors, same count. `chunkBytes` (default 1 MiB) is how much is read at a time.
 */
export async function readTableTraceBatches(path: string, onBatch: (ids: Float64Array, n: number) => void, chunkBytes = 1 << 20): Promise<number> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new TableTraceError(`${path}: cannot read the trace: ${whyUnreadable(err)}`);
  }
  try {
    const CHUNK = chunkBytes;
    const chunk = Buffer.allocUnsafe(CHUNK);
    const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, CHUNK);
    // A line takes at least two bytes ("7\n"), and one more may end a line begun in the last chunk.
    const ids = new Float64Array((CHUNK >> 1) + 1);
    const st: ParseState = { line: 1, value: 0, digits: 0, cr: false, lineStart: 0, bad: -1 };
    let count = 0;
    // File offsets of the current chunk and of the current line (for the text an error quotes).
    let pos = 0;
    let lineAt = 0;
    const fail = async (badAt: number, endsLine: boolean): Promise<never> => {
      const text = await lineText(fh, lineAt, badAt, endsLine);
      // Escaped: a stray CR or control byte would garble the terminal line it is printed on.
      const shown = JSON.stringify(text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX)}...` : text).slice(1, -1);
      throw new TableTraceError(`${path}:${st.line}: expected a table id (a whole number: the L2 table's file offset in bytes), found ${text ? `"${shown}"` : 'an empty line'}`);
    };
    for (let first = true; ; first = false) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await fh.read(chunk, 0, CHUNK, null));
      } catch (err) {
        // open() takes a directory; its first read is EISDIR (and a failing disk EIO at any read)
        throw new TableTraceError(`${path}: cannot read the trace${pos ? ` at byte offset ${pos}` : ''}: ${whyUnreadable(err)}`);
      }
      if (bytesRead === 0) break;
      if (first) {
        refuseCompressed(path, chunk, bytesRead);
        if (bytesRead >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
          // A byte order mark (editors on Windows write one): not part of the first id.
          chunk.copyWithin(0, 3, bytesRead);
          bytesRead -= 3;
          pos = lineAt = 3;
        }
      }
      const n = parseIds(bytes, bytesRead, st, ids);
      if (n > 0) {
        onBatch(ids, n);
        count += n;
        lineAt = pos + st.lineStart;
      }
      if (st.bad >= 0) await fail(pos + st.bad, chunk[st.bad] === 10);
      pos += bytesRead;
    }
    if (st.digits > 0) {
      if (st.value > Number.MAX_SAFE_INTEGER) await fail(pos, false);
      ids[0] = st.value;
      onBatch(ids, 1);
      count++;
    } else if (st.cr) {
      throw new TableTraceError(`${path}:${st.line}: expected a table id (a whole number: the L2 table's file offset in bytes), found "\r"`);
    }
    if (count === 0) throw new TableTraceError(`${path}: no table ids (an empty file); nothing to replay`);
    return count;
  } finally {
    await fh.close();
  }
}
