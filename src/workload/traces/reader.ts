/**
 * A trace as a stream of request batches: format chosen (or detected), text split into lines or
 * binary into records, bad lines counted and skipped up to --max-bad-lines, else a TraceError
 * naming file:line:column, the field, what was expected and what was found.
 */
import { basename } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { DeviceNames, FLUSH, RequestBatch } from './batch.js';
import { detectFormat, formatByName, FORMAT_NAMES } from './formats.js';
import { TraceInput, decompressedHead, utf16Error, type Compression } from './input.js';
import { isUtf16 } from '../../util/utf16.js';
import { BadField, TraceError, type LineParser, type ParseOptions, type TraceFormat, type TraceRequest } from './types.js';
import { TIME_EXACT } from './fields.js';

export interface TraceOpenOptions extends ParseOptions {
  /** A format name; absent: detected from the name and first bytes. */
  format?: string;
  /** Bad lines to skip (and count) before the trace is refused; default 0. */
  maxBadLines?: number;
  /** Compute the file's sha256 while reading. */
  hash?: boolean;
}

/** What reading the trace found, for results and `trace stats`. */
export interface TraceReadSummary {
  file: string;
  format: string;
  compression: Compression;
  fileBytes: number;
  sha256: string | null;
  requests: number;
  badLines: number;
  /** The first few skipped lines, as file:line:col messages. */
  firstBadLines: string[];
}

/** The format named, or the one detection finds; else a TraceError asking for --format. */
export function resolveFormat(file: string, name?: string): TraceFormat {
  if (name !== undefined) {
    const f = formatByName(name);
    if (!f) throw new TraceError(file, `unknown trace format "${name}"; expected one of ${FORMAT_NAMES.join(', ')}`);
    return f;
  }
  const head = decompressedHead(file);
  const f = detectFormat(basename(file), head);
  if (!f) {
    if (isUtf16(head)) throw utf16Error(file);
    throw new TraceError(file, `cannot tell the trace format from the name and first lines; give it with --format (one of ${FORMAT_NAMES.join(', ')}), or trace: { format: ... } in a workload`);
  }
  return f;
}

export class TraceReader {
  readonly format: TraceFormat;
  private readonly input: TraceInput;
  private requests = 0;
  private bad = 0;
  /** Rows of the current batch already through checkRows (it runs before each bad line too). */
  private checked = 0;
  private readonly firstBad: string[] = [];
  private readonly maxBad: number;
  /** Device names seen so far: a batch's device column indexes them. */
  readonly devices = new DeviceNames();

  constructor(
    readonly file: string,
    private readonly opts: TraceOpenOptions = {},
  ) {
    this.format = resolveFormat(file, opts.format);
    const csvOnly = [opts.columns && 'columns', opts.offsetUnit !== undefined && 'an offset unit', opts.timeUnit !== undefined && 'a time unit'].filter(Boolean);
    if (csvOnly.length && this.format.name !== 'csv') {
      throw new TraceError(file, `${csvOnly.join(', ')} given for a trace of format ${this.format.name}: --columns, --offset-unit and --time-unit (trace: columns, offset_unit, time_unit) apply to format csv only; ${this.format.name} has fixed columns and units`);
    }
    this.input = new TraceInput(file, { hash: opts.hash });
    this.maxBad = opts.maxBadLines ?? 0;
  }

  summary(): TraceReadSummary {
    return {
      file: this.file,
      format: this.format.name,
      compression: this.input.compression,
      fileBytes: this.input.fileBytes,
      sha256: this.input.digest(),
      requests: this.requests,
      badLines: this.bad,
      firstBadLines: this.firstBad,
    };
  }

  /** Requests in file order, a batch per chunk read (bounded memory). */
  async *batches(): AsyncGenerator<TraceRequest[]> {
    for await (const b of this.columns()) yield b.toArray();
  }

  /** Requests in file order as columns, a batch per chunk read: the long-trace path (no object per request). */
  columns(): AsyncGenerator<RequestBatch> {
    return this.format.kind === 'text' ? this.textColumns(this.format) : this.binaryColumns(this.format);
  }

  /** Batches a consumer is done with (recycle), to fill again instead of making new ones. */
  private readonly spares: RequestBatch[] = [];

  /**
   * A batch columns() yielded that the caller no longer reads: it is filled again with a later
   * chunk. A long replay then reuses two batches (the one replayed, the one read ahead) instead
   * of making a fresh 1 MiB of columns per chunk that outlives scavenges and waits for a full GC.
   */
  recycle(b: RequestBatch): void {
    if (this.spares.length < 2) this.spares.push(b);
  }

  /** A batch to fill: a recycled one, else a fresh one sized for about as many rows as the last one had. */
  private batch(last: number): RequestBatch {
    this.checked = 0;
    const spare = this.spares.pop();
    if (spare) {
      spare.n = 0;
      return spare;
    }
    return new RequestBatch(this.devices, Math.max(1024, last + (last >> 2)));
  }

  private async *textColumns(format: Extract<TraceFormat, { kind: 'text' }>): AsyncGenerator<RequestBatch> {
    const parse = this.parserOf(format);
    const fast = parse.fast;
    if (!fast) {
      yield* this.stringColumns(parse);
      return;
    }
    // Lines are split on bytes ("\n" never occurs inside a UTF-8 sequence); a line is decoded to
    // text only when the fast parser cannot vouch for it.
    const scan = parse.scan;
    const cursor = { line: 0 };
    let carry: Buffer | null = null;
    let lineNo = 0;
    let last = 0;
    const join = new Joiner();
    for await (const chunk of this.input.chunks(true)) {
      const buf: Buffer = carry ? join.of(carry, chunk) : chunk;
      const out = this.batch(last);
      let start = 0;
      if (scan) {
        cursor.line = lineNo;
        start = scan(buf, 0, cursor, out, (b, s, e, n) => this.careful(parse, b, s, e, n, out));
        lineNo = cursor.line;
      } else {
        // Newlines found by a loop here, not buf.indexOf: a native call per line costs more than the scan.
        const len = buf.length;
        for (let nl = start; ; start = ++nl) {
          while (nl < len && buf[nl] !== 10) nl++;
          if (nl === len) break;
          const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
          lineNo++;
          if (!fast(buf, start, end, lineNo, out)) this.careful(parse, buf, start, end, lineNo, out);
        }
      }
      carry = start < buf.length ? buf.subarray(start) : null;
      if (carry && carry.length > MAX_LINE) throw this.tooLong(carry.toString('utf8', 0, 160), lineNo + 1);
      this.checkRows(out);
      this.requests += out.n;
      last = out.n;
      if (out.n) yield out;
    }
    if (carry) {
      const end = carry[carry.length - 1] === 13 ? carry.length - 1 : carry.length;
      if (end > 0) {
        lineNo++;
        const out = this.batch(0);
        this.careful(parse, carry, 0, end, lineNo, out);
        this.checkRows(out);
        this.requests += out.n;
        if (out.n) yield out;
      }
    }
  }

  /** Formats without a fast parser: whole chunks decoded, lines sliced from the text. */
  private async *stringColumns(parse: LineParser): AsyncGenerator<RequestBatch> {
    const dec = new StringDecoder('utf8');
    let carry = '';
    let lineNo = 0;
    let last = 0;
    for await (const chunk of this.input.chunks(true)) {
      const text = carry + dec.write(chunk);
      const out = this.batch(last);
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        lineNo++;
        try {
          const r = parseLine(parse, text.slice(start, end), lineNo);
          if (r) out.push(r);
        } catch (err) {
          this.checkRows(out);
          this.badLine(err, lineNo);
        }
        start = nl + 1;
      }
      carry = text.slice(start);
      if (carry.length > MAX_LINE) throw this.tooLong(carry, lineNo + 1);
      this.checkRows(out);
      this.requests += out.n;
      last = out.n;
      if (out.n) yield out;
    }
    const lastLine = (carry + dec.end()).replace(/\r$/, '');
    if (lastLine.length) {
      lineNo++;
      try {
        const r = parseLine(parse, lastLine, lineNo);
        const out = this.batch(0);
        if (r) out.push(r);
        this.checkRows(out);
        this.requests += out.n;
        if (out.n) yield out;
      } catch (err) {
        this.badLine(err, lineNo);
      }
    }
  }

  /** The line's text through the format's parser; a BadField is counted or thrown by badLine. */
  private careful(parse: LineParser, buf: Buffer, s: number, e: number, lineNo: number, out: RequestBatch): void {
    try {
      const r = parseLine(parse, buf.toString('utf8', s, e), lineNo);
      if (r) out.push(r);
    } catch (err) {
      this.checkRows(out); // the rows before this line first, so bad lines are named in file order
      this.badLine(err, lineNo);
    }
  }

  private parserOf(format: TraceFormat) {
    try {
      return format.parser(this.opts) as ReturnType<Extract<TraceFormat, { kind: 'text' }>['parser']>;
    } catch (err) {
      throw new TraceError(this.file, (err as Error).message);
    }
  }

  /** A line past MAX_LINE with no end yet: no trace's line, and carried chunk to chunk it costs time quadratic in its length. */
  private tooLong(start: string, line: number): TraceError {
    const shown = JSON.stringify(start.slice(0, 40)).slice(1, -1).slice(0, 60);
    return new TraceError(this.file, `expected lines of at most 1 MiB, found one still going at 1 MiB, starting "${shown}…" [${this.format.name}]; a binary file, or not this format?`, line, 1, 'line');
  }

  private badLine(err: unknown, line: number): void {
    if (!(err instanceof BadField)) throw err;
    const message = `expected ${err.expected}, found "${err.found}"`;
    if (++this.bad > this.maxBad) {
      const limit = this.maxBad ? ` (more than --max-bad-lines ${this.maxBad} bad lines)` : '; --max-bad-lines N skips and counts up to N bad lines';
      throw new TraceError(this.file, `${message} [${this.format.name}]${limit}`, line, err.col ?? 1, err.field);
    }
    if (this.firstBad.length < 5) this.firstBad.push(`${this.file}:${line}:${err.col ?? 1}: ${err.field}: ${message}`);
  }

  /**
   * Requests every format can express but no disk can serve: a read, write or trim of 0 bytes,
   * or one ending past 2^53 bytes (offsets are exact only below it; sector units can reach it).
   * A text line is a bad line (skipped and counted under --max-bad-lines). Binary records are
   * checked for the end only (oracleGeneral object traces do carry size 0); one past it is an
   * error naming the record. Rows kept are moved down over the ones dropped. Rows before
   * `checked` (this batch's) were checked already.
   */
  private checkRows(out: RequestBatch, binary = false): void {
    let w = this.checked;
    for (let i = w; i < out.n; i++) {
      const length = out.length[i];
      const offset = out.offset[i];
      const empty = length === 0 && out.op[i] !== FLUSH && !binary;
      const time = out.time[i];
      if (!empty && offset + length <= Number.MAX_SAFE_INTEGER && Number.isFinite(time)) {
        if (w !== i) out.copy(i, w);
        w++;
        continue;
      }
      const bad = empty
        ? new BadField('size', 'a request of at least 1 byte (a read, write or trim of 0 bytes moves nothing)', '0')
        : offset + length > Number.MAX_SAFE_INTEGER
          ? new BadField('offset', 'a request ending below 2^53 bytes (8 PiB)', `${offset} + ${length} bytes`)
          : new BadField('time', TIME_EXACT, `one ${time < 0 ? 'before' : 'after'} it by more than 2^53 ns, between two steps of the double there (it would be rounded)`);
      if (binary) {
        throw new TraceError(this.file, `record ${out.line[i]}${this.input.compression === 'none' ? '' : ' (of the decompressed data)'}: ${bad.field}: expected ${bad.expected}, found ${bad.found}`);
      }
      this.badLine(bad, out.line[i]);
    }
    out.n = this.checked = w;
  }

  private async *binaryColumns(format: Extract<TraceFormat, { kind: 'binary' }>): AsyncGenerator<RequestBatch> {
    const parse = format.parser(this.opts);
    let carry: Buffer = Buffer.alloc(0);
    let consumed = 0;
    let record = 0;
    let last = 0;
    for await (const chunk of this.input.chunks()) {
      const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
      const out = this.batch(last);
      let at = 0;
      for (;;) {
        let r;
        try {
          r = parse(buf, at, record + 1);
        } catch (err) {
          if (!(err instanceof BadField)) throw err;
          throw new TraceError(this.file, `record ${record + 1} at byte offset ${consumed + at}${this.input.compression === 'none' ? '' : ' (of the decompressed data)'}: ${err.field}: expected ${err.expected}, found ${err.found}`);
        }
        if (r === 'more') break;
        record++;
        at += r.size;
        if (r.req) out.push(r.req);
      }
      carry = buf.subarray(at);
      this.checkRows(out, true);
      consumed += at;
      this.requests += out.n;
      last = out.n;
      if (out.n) yield out;
    }
    if (carry.length) {
      throw new TraceError(this.file, `truncated ${format.name} record ${record + 1} at byte offset ${consumed}${this.input.compression === 'none' ? '' : ' (of the decompressed data)'}: ${carry.length} bytes left, the record is longer`);
    }
  }
}

/**
 * A line through the format's parser, unless a carriage return is left inside it (its "\r\n"
 * end is already cut): a file with CR-only line ends (classic Mac OS) reads as one long line
 * whose later requests would sit in ignored trailing fields. The byte scanners send such a line
 * here rather than vouch for it.
 */
function parseLine(parse: LineParser, line: string, lineNo: number): ReturnType<LineParser> {
  const cr = line.indexOf('\r');
  if (cr >= 0) {
    const around = JSON.stringify(line.slice(Math.max(0, cr - 24), cr + 24)).slice(1, -1);
    throw new BadField('line', 'lines that end in LF or CRLF, not a carriage return inside one (CR-only line ends are not read)', around, cr + 1);
  }
  return parse(line, lineNo);
}

/** Every request of a trace in one array: for tests and small files only. */
export async function readAll(file: string, opts: TraceOpenOptions = {}): Promise<TraceRequest[]> {
  const all: TraceRequest[] = [];
  for await (const b of new TraceReader(file, opts).batches()) for (const r of b) all.push(r);
  return all;
}

/** Longest text line read (3 GB of NUL bytes, one line, ran for minutes re-joining it). */
const MAX_LINE = 1 << 20;

/**
 * A partial line carried over, then the next chunk, in one buffer reused chunk after chunk
 * (Buffer.concat made a fresh 1 MiB buffer per chunk, garbage a long replay's GC frees late).
 * The carry may lie in the buffer itself: Buffer.copy moves overlapping bytes correctly.
 */
class Joiner {
  private buf = Buffer.alloc(0);

  of(carry: Buffer, chunk: Buffer): Buffer {
    const n = carry.length + chunk.length;
    if (n > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(n, 2 * this.buf.length));
      carry.copy(grown, 0);
      this.buf = grown;
    } else carry.copy(this.buf, 0);
    chunk.copy(this.buf, carry.length);
    return this.buf.subarray(0, n);
  }
}
