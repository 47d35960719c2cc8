/**
 * A chunk's requests as columns (a typed array per field, devices as small ids): what the trace
 * reader's byte path fills without making an object or a string per request, and what the
 * long-trace consumers (stats, cache-only sweeps) read directly. `get(i)` gives the object form.
 */
import type { DeviceIds, RowSink, TraceOp, TraceRequest } from './types.js';

/** Op codes in the op column. */
export const OP_CODES: readonly TraceOp[] = ['read', 'write', 'trim', 'flush'];
export const OP_CODE: Readonly<Record<TraceOp, number>> = { read: 0, write: 1, trim: 2, flush: 3 };
export const FLUSH = 3;

/** An op table (word → op) as word → op code, for the byte path. */
export function opCodes(table: Readonly<Record<string, TraceOp>>): Record<string, number> {
  return Object.fromEntries(Object.entries(table).map(([w, op]) => [w, OP_CODE[op]]));
}

/** Device names of one reader, numbered in order of first appearance. */
export class DeviceNames implements DeviceIds {
  readonly names: string[] = [];
  private readonly ids = new Map<string, number>();

  id(name: string): number {
    let d = this.ids.get(name);
    if (d === undefined) {
      d = this.names.length;
      this.ids.set(name, d);
      this.names.push(name);
    }
    return d;
  }
}

export class RequestBatch implements RowSink {
  n = 0;
  time: Float64Array;
  op: Uint8Array;
  offset: Float64Array;
  length: Float64Array;
  device: Uint32Array;
  line: Float64Array;

  constructor(
    readonly devices: DeviceNames,
    capacity = 1 << 12,
  ) {
    this.time = new Float64Array(capacity);
    this.op = new Uint8Array(capacity);
    this.offset = new Float64Array(capacity);
    this.length = new Float64Array(capacity);
    this.device = new Uint32Array(capacity);
    this.line = new Float64Array(capacity);
  }

  /** Room for one more row at index n (columns doubled when full). */
  reserve(): void {
    if (this.n < this.time.length) return;
    const grow = <T extends Float64Array | Uint8Array | Uint32Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(a.length * 2);
      b.set(a);
      return b;
    };
    this.time = grow(this.time);
    this.op = grow(this.op);
    this.offset = grow(this.offset);
    this.length = grow(this.length);
    this.device = grow(this.device);
    this.line = grow(this.line);
  }

  /** Append row n (after reserve()). */
  set(time: number, op: number, offset: number, length: number, device: number, line: number): void {
    const i = this.n++;
    this.time[i] = time;
    this.op[i] = op;
    this.offset[i] = offset;
    this.length[i] = length;
    this.device[i] = device;
    this.line[i] = line;
  }

  /** Row `from` copied over row `to` (dropping rows in place). */
  copy(from: number, to: number): void {
    this.time[to] = this.time[from];
    this.op[to] = this.op[from];
    this.offset[to] = this.offset[from];
    this.length[to] = this.length[from];
    this.device[to] = this.device[from];
    this.line[to] = this.line[from];
  }

  push(r: TraceRequest): void {
    this.reserve();
    this.set(r.time, OP_CODE[r.op], r.offset, r.length, this.devices.id(r.device), r.line);
  }

  get(i: number): TraceRequest {
    return { time: this.time[i], op: OP_CODES[this.op[i]], offset: this.offset[i], length: this.length[i], device: this.devices.names[this.device[i]], line: this.line[i] };
  }

  toArray(): TraceRequest[] {
    const out = new Array<TraceRequest>(this.n);
    for (let i = 0; i < this.n; i++) out[i] = this.get(i);
    return out;
  }
}
