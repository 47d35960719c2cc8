/** The request a trace reader yields, the format descriptions every reader implements, and the trace error. */
import { WorkloadError } from '../errors.js';

export type TraceOp = 'read' | 'write' | 'trim' | 'flush';

export interface TraceRequest {
  /** Nanoseconds since the first timestamp in the file (negative if the file is not in time order). */
  time: number;
  op: TraceOp;
  /** Bytes (flush: 0). */
  offset: number;
  length: number;
  /** Device, volume, LUN or file as the trace names it. */
  device: string;
  /** 1-based line in a text trace; record number in a binary one. */
  line: number;
}

/** A field that did not parse: the reader adds file and line and decides whether to skip it. */
export class BadField extends Error {
  constructor(
    readonly field: string,
    readonly expected: string,
    readonly found: string,
    /** 1-based column of the field in the line, when known. */
    readonly col?: number,
  ) {
    super(`${field}: expected ${expected}, found "${found}"`);
  }
}

/** Bad trace input: file:line:column (or byte offset), field, expected and found. Exit code 2. */
export class TraceError extends WorkloadError {
  constructor(file: string, message: string, line?: number, col?: number, field = '') {
    super(file, [{ path: field, message, line, col }]);
    this.name = 'TraceError';
  }
}

/** Options a format may need (the generic CSV's column map, units). */
export interface ParseOptions {
  /** Generic CSV: 1-based columns of time, offset, size, op and device. */
  columns?: Partial<Record<'time' | 'offset' | 'size' | 'op' | 'device', number>>;
  /** Generic CSV: bytes per offset/size unit (1, or 512 for sectors). */
  offsetUnit?: number;
  /** Generic CSV: nanoseconds per time unit. */
  timeUnit?: number;
}

/**
 * Parses one line; null skips it (header, comment, an event that is not a request). Throws BadField.
 * `fast`, when a format has one, parses the line's bytes buf[s, e) and appends to `out` the very
 * request the line's text would give (true), or appends nothing and returns false when it cannot
 * tell (then the text is parsed, for the result or the exact error); it shares the text parser's
 * state and changes it only where that would.
 */
export type LineParser = ((line: string, lineNo: number) => TraceRequest | null) & { fast?: BytesLineParser; scan?: ChunkScanner };

/**
 * `scan`, when a format has one, does what `fast` does for every complete line of buf from
 * `start` in one pass over the bytes (no separate newline search); a line it cannot vouch for
 * goes to `careful` (buf[s, e) without its "\r\n"). Returns where the unfinished last line starts;
 * `cursor.line` counts the lines taken.
 */
export type ChunkScanner = (buf: Buffer, start: number, cursor: { line: number }, out: RowSink, careful: CarefulLine) => number;

/** The line's text through the format's parser, its request (if any) appended to the scanner's `out`. */
export type CarefulLine = (buf: Buffer, s: number, e: number, lineNo: number) => void;

export type BytesLineParser = (buf: Buffer, s: number, e: number, lineNo: number, out: RowSink) => boolean;

/** Device names numbered by first appearance (batch.ts's DeviceNames). */
export interface DeviceIds {
  id(name: string): number;
}

/** Where the byte path appends requests as rows (batch.ts's RequestBatch); op is an OP_CODE. */
export interface RowSink {
  readonly devices: DeviceIds;
  /** Room for one more row. */
  reserve(): void;
  set(time: number, op: number, offset: number, length: number, device: number, line: number): void;
}

/** Parses one record at `at` of `buf`: the request (or null) and its size, or 'more' when the record is cut. */
export type RecordParser = (buf: Buffer, at: number, recordNo: number) => { req: TraceRequest | null; size: number } | 'more';

interface FormatBase {
  name: string;
  /** One line for --help and errors: the fields and units. */
  describe: string;
  /** Matches file names that suggest this format. */
  nameHint: RegExp | null;
  /** Bytes per unit of offsets and sizes as written (512: sectors); absent: bytes. */
  sectorUnits?: boolean;
}

export interface TextFormat extends FormatBase {
  kind: 'text';
  /** True when the first non-empty line (header or data) is unmistakably this format. */
  sniff(first: string): boolean;
  parser(opts: ParseOptions): LineParser;
  /** The file's first line(s) when writing, or ''. */
  header: string;
  /** One request as a line (no newline); stateful writers number their own time base. */
  writer(): (r: TraceRequest) => string;
}

export interface BinaryFormat extends FormatBase {
  kind: 'binary';
  sniff(first: Buffer): boolean;
  parser(opts: ParseOptions): RecordParser;
  writer(): (r: TraceRequest) => Buffer;
}

export type TraceFormat = TextFormat | BinaryFormat;
