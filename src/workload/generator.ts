/**
 * Seeded request generators: a JobSpec becomes a stream of IoRequests, with fio's meanings.
 *
 * - Offsets are multiples of `align`. The usable region is its aligned part: from the region
 *   start rounded up to `align` to the last whole `align` unit. A request never crosses its end;
 *   one that would is shortened (its offset is not moved).
 * - sequential: starts at the region start; the next offset is the first aligned one at or after
 *   the previous request's end; wraps to the start when that is past the end.
 * - strided: each offset is `stride` bytes after the previous one's start, modulo the usable
 *   region (so the phase is kept when it wraps), rounded down to `align`.
 * - random: a slot (one `align` unit) drawn from the distribution; see distributions.ts.
 * - hotspot: `hotOffset`/`hotSpan` are absolute byte offsets on the disk (the loader resolves
 *   them); `share` of requests start at a uniform aligned offset inside the hot area (clipped to
 *   the usable region), the rest anywhere in the region.
 * - stop.ops / stop.bytes: the stream ends once either is reached. Bytes count every request's
 *   length as issued; the last request is not shortened, so the total lands in
 *   [bytes, bytes + last length). Flushes count toward neither. durationMs is the runner's.
 * - flushEvery N: a flush follows every Nth request, including the last one when the count is a
 *   multiple of N.
 *
 * Offsets, sizes and operations draw from separate seeded streams, so e.g. changing the read
 * mix leaves the offsets unchanged. Memory is O(1) in the number of requests.
 */

import type { IoRequest, JobSpec, Pattern, RequestSource } from './types.js';
import { Rng } from '../util/random.js';
import { sizeSampler, slotSampler } from './distributions.js';

/** A generator's stream: unlike a trace reader, it answers synchronously. */
export interface SyncRequestSource extends RequestSource {
  next(): IoRequest | null;
}

/** Stream tags under one seed and job index. */
const OFFSETS = 1;
const SIZES = 2;
const OPS = 3;

interface Layout {
  align: number;
  /** First usable offset. */
  base: number;
  /** Usable `align` units. */
  slots: number;
  /** End of the usable region (exclusive). */
  end: number;
}

/** Given the wanted length, the next request's offset. */
type OffsetPicker = (length: number) => number;

function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(message);
}

const isCount = (x: number): boolean => Number.isSafeInteger(x) && x >= 0;

function layoutOf(job: JobSpec): Layout {
  const { align, region } = job;
  check(Number.isSafeInteger(align) && align >= 1, `align must be a positive integer, got ${align}`);
  check(isCount(region.offset) && isCount(region.span), 'region offset and span must be integers >= 0');
  const base = Math.ceil(region.offset / align) * align;
  const slots = Math.floor((region.offset + region.span - base) / align);
  check(slots >= 1, `region [${region.offset}, +${region.span}) holds no whole ${align}-byte aligned block`);
  return { align, base, slots, end: base + slots * align };
}

function offsetPicker(pattern: Pattern, lay: Layout, rng: Rng): OffsetPicker {
  const { align, base, slots, end } = lay;
  switch (pattern.kind) {
    case 'sequential': {
      let slot = 0;
      return (length) => {
        const offset = base + slot * align;
        slot += Math.ceil(Math.min(length, end - offset) / align);
        if (slot >= slots) slot = 0;
        return offset;
      };
    }
    case 'strided': {
      const { stride } = pattern;
      check(Number.isSafeInteger(stride) && stride >= 1, `stride must be a positive integer, got ${stride}`);
      const width = slots * align;
      const step = stride % width;
      let pos = 0;
      return () => {
        const offset = base + Math.floor(pos / align) * align;
        pos += step;
        if (pos >= width) pos -= width;
        return offset;
      };
    }
    case 'random': {
      const sampler = slotSampler(pattern.distribution, slots);
      return () => base + sampler.next(rng) * align;
    }
    case 'hotspot': {
      const { hotOffset, hotSpan, share } = pattern;
      check(share >= 0 && share <= 1, `hotspot share must be in [0, 1], got ${share}`);
      const lo = Math.max(0, Math.ceil((hotOffset - base) / align));
      const hi = Math.min(slots, Math.ceil((hotOffset + hotSpan - base) / align));
      check(hi > lo, `hot area [${hotOffset}, +${hotSpan}) has no aligned offset inside the region`);
      return () => {
        const slot = rng.float() < share ? lo + rng.below(hi - lo) : rng.below(slots);
        return base + slot * align;
      };
    }
  }
}

function opPicker(job: JobSpec, rng: Rng): () => IoRequest['op'] {
  const op = job.op;
  if (op.kind !== 'mixed') return () => op.kind;
  check(op.readShare >= 0 && op.readShare <= 1, `readShare must be in [0, 1], got ${op.readShare}`);
  return () => (rng.float() < op.readShare ? 'read' : 'write');
}

/**
 * The request stream of job number `jobIndex` under `seed`: the same arguments give the same
 * stream on every machine; another job index gives an independent one.
 * Throws RangeError naming the job when the spec cannot be generated.
 */
export function createJobSource(job: JobSpec, seed: number, jobIndex: number): SyncRequestSource {
  try {
    return build(job, seed, jobIndex);
  } catch (e) {
    if (e instanceof RangeError) throw new RangeError(`job "${job.name}": ${e.message}`);
    throw e;
  }
}

function build(job: JobSpec, seed: number, jobIndex: number): SyncRequestSource {
  const lay = layoutOf(job);
  const { ops, bytes } = job.stop;
  check(ops === undefined || isCount(ops), `stop.ops must be an integer >= 0, got ${ops}`);
  check(bytes === undefined || bytes >= 0, `stop.bytes must be >= 0, got ${bytes}`);
  check(isCount(job.flushEvery), `flushEvery must be an integer >= 0, got ${job.flushEvery}`);
  const pick = offsetPicker(job.pattern, lay, new Rng(seed, jobIndex, OFFSETS));
  const sizes = sizeSampler(job.bs, lay.align);
  const sizeRng = new Rng(seed, jobIndex, SIZES);
  const op = opPicker(job, new Rng(seed, jobIndex, OPS));
  const maxOps = ops ?? Infinity;
  const maxBytes = bytes ?? Infinity;
  const { flushEvery } = job;
  let count = 0;
  let total = 0;
  let flushDue = false;

  return {
    next() {
      if (flushDue) {
        flushDue = false;
        return { op: 'flush', offset: 0, length: 0 };
      }
      if (count >= maxOps || total >= maxBytes) return null;
      const want = sizes.next(sizeRng);
      const offset = pick(want);
      const length = Math.min(want, lay.end - offset);
      count++;
      total += length;
      if (flushEvery > 0 && count % flushEvery === 0) flushDue = true;
      return { op: op(), offset, length };
    },
  };
}
