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
import { open } from 'node:fs/promises';
import type { TableAccessOp } from './table-access.js';
import { whyUnreadable } from '../util/why-unreadable.js';

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
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw new TableTraceError(`${path}: cannot read the trace: ${whyUnreadable(err)}`);
  }
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    let line = 1;
    let value = 0;
    let digits = 0;
    let cr = false;
    let count = 0;
    // The text of the current line before this chunk, kept only for an error message.
    let carry = '';
    const fail = (text: string): never => {
      const shown = text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX)}...` : text;
      throw new TableTraceError(`${path}:${line}: expected a table id (a whole number: the L2 table's file offset in bytes), found ${text ? `"${shown}"` : 'an empty line'}`);
    };
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      let lineStart = 0;
      const lineText = (end: number): string => carry + chunk.toString('utf8', lineStart, end);
      for (let i = 0; i < bytesRead; i++) {
        const b = chunk[i];
        if (b >= 48 && b <= 57 && !cr) {
          value = value * 10 + (b - 48);
          digits++;
        } else if (b === 10) {
          if (digits === 0 || value > Number.MAX_SAFE_INTEGER) fail(lineText(cr ? i - 1 : i));
          onTable(value);
          count++;
          line++;
          value = 0;
          digits = 0;
          cr = false;
          carry = '';
          lineStart = i + 1;
        } else if (b === 13 && !cr) {
          cr = true;
        } else {
          let end = i;
          while (end < bytesRead && chunk[end] !== 10 && chunk[end] !== 13) end++;
          fail(lineText(end));
        }
      }
      carry = digits || cr ? lineText(bytesRead).slice(0, QUOTE_MAX + 1) : '';
    }
    if (digits > 0) {
      if (value > Number.MAX_SAFE_INTEGER) fail(carry);
      onTable(value);
      count++;
    } else if (cr) {
      fail('\r');
    }
    return count;
  } finally {
    await fh.close();
  }
}
