/**
 * A seeded synthetic block trace (no real trace can be downloaded here): a few devices, each
 * with a hot area read and written at random, sequential runs, and some cold random reads; times
 * advance by exponential-ish gaps. Used for the samples in workloads/traces/ and bench:trace.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { createGzip } from 'node:zlib';
import { Rng } from '../../src/util/random.js';
import { formatByName } from '../../src/workload/traces/formats.js';
import type { TraceOp, TraceRequest } from '../../src/workload/traces/types.js';

export interface SyntheticOptions {
  requests: number;
  seed: number;
  devices: string[];
  /** Bytes of each device's address space. */
  span: number;
  /** Offset and length unit (512 for sector formats). */
  unit?: number;
  /** Time granularity in ns (1e9 for formats with whole seconds). */
  tick?: number;
  ops?: TraceOp[];
}

/** The requests, generated lazily (bounded memory for long traces). */
export function* syntheticTrace(o: SyntheticOptions): Generator<TraceRequest> {
  const rng = new Rng(o.seed, 7, 1);
  const unit = Math.max(o.unit ?? 512, 512);
  const tick = o.tick ?? 1000;
  const ops = o.ops ?? ['read', 'write'];
  const blocks = Math.floor(o.span / 4096);
  const hotBlocks = Math.max(1, Math.floor(blocks / 50));
  const seq = o.devices.map(() => rng.below(blocks));
  let time = 0;
  for (let i = 0; i < o.requests; i++) {
    const d = rng.below(o.devices.length);
    const kind = rng.float();
    let block: number;
    if (kind < 0.6) block = Math.floor(blocks / 3) + rng.below(hotBlocks);
    else if (kind < 0.85) {
      block = seq[d];
      seq[d] = (seq[d] + 16) % blocks;
    } else block = rng.below(blocks);
    const length = Math.ceil((4096 * (1 + (rng.float() < 0.2 ? rng.below(16) : 0))) / unit) * unit;
    const offset = Math.min(block * 4096, o.span - length);
    let op: TraceOp = rng.float() < 0.65 ? 'read' : 'write';
    if (!ops.includes(op)) op = ops[0];
    if (ops.includes('flush') && rng.float() < 0.01) op = 'flush';
    time += Math.max(1, Math.round((-Math.log(1 - rng.float()) * 200_000) / tick)) * tick;
    yield op === 'flush'
      ? { time, op, offset: 0, length: 0, device: o.devices[d], line: 0 }
      : { time, op, offset: Math.floor(offset / unit) * unit, length, device: o.devices[d], line: 0 };
  }
}

/** Write `o.requests` synthetic requests in `format` to `path` as they are generated (gzip when it ends in .gz). */
export async function writeSyntheticTrace(path: string, format: string, o: SyntheticOptions): Promise<void> {
  const f = formatByName(format)!;
  const file = createWriteStream(path);
  const gz = path.endsWith('.gz') ? createGzip({ level: 1 }) : null;
  gz?.pipe(file);
  const sink = gz ?? file;
  const put = async (b: string | Buffer) => {
    if (!sink.write(b)) await once(sink, 'drain');
  };
  if (f.kind === 'text' && f.header) await put(`${f.header}\n`);
  const w = f.writer() as (r: TraceRequest) => string | Buffer;
  let parts: Array<string | Buffer> = [];
  for (const r of syntheticTrace(o)) {
    parts.push(f.kind === 'text' ? `${w(r) as string}\n` : (w(r) as Buffer));
    if (parts.length === 10_000) {
      await put(f.kind === 'text' ? (parts as string[]).join('') : Buffer.concat(parts as Buffer[]));
      parts = [];
    }
  }
  if (parts.length) await put(f.kind === 'text' ? (parts as string[]).join('') : Buffer.concat(parts as Buffer[]));
  sink.end();
  await once(file, 'close');
}
