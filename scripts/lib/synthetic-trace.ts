/**
 * A seeded synthetic block trace (no real trace can be downloaded here): a few devices, each
 * with a hot area read and written at random, sequential runs, and some cold random reads; times
 * advance by exponential-ish gaps. Used for the samples in workloads/traces/ and bench:trace.
 */
import { Rng } from '../../src/util/random.js';
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
