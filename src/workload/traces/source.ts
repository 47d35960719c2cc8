/**
 * A trace job's request stream: the trace's requests for the chosen device, fitted onto the
 * job's region (error, wrap or scale), aligned, limited by the job's stop, and stamped with
 * their due time when timing is original. Reads the reader's columns (no object per trace
 * line) and starts reading the next chunk as soon as one is taken: memory is two chunks.
 */
import { setImmediate } from 'node:timers/promises';
import type { IoRequest, JobSpec, RequestSource, TraceJobSpec } from '../types.js';
import { FLUSH, OP_CODES, type RequestBatch } from './batch.js';
import { TraceReader, type TraceReadSummary } from './reader.js';
import { TraceError } from './types.js';

/** What a replay of one trace job read and did, for the results file. */
export interface TraceReplaySummary extends TraceReadSummary {
  job: string;
  device: string | null;
  fit: TraceJobSpec['fit'];
  /** Requests replayed (after the device filter and the job's stop). */
  replayed: number;
  /** Requests of other devices, skipped. */
  otherDevices: number;
  /** Requests whose offset was wrapped or scaled, or whose length was cut at the region's end. */
  fitted: number;
}

export interface TraceSource extends RequestSource {
  close(): Promise<void>;
  summary(): TraceReplaySummary;
}

/** The engine's op per op code (batch.ts OP_CODES order: read, write, trim, flush). */
const OPS: readonly IoRequest['op'][] = ['read', 'write', 'zero', 'flush'];

/** The end of the trace's furthest request after alignment: what fit scale divides by. */
export async function traceExtent(t: TraceJobSpec): Promise<number> {
  let end = 0;
  const reader = new TraceReader(t.file, readerOptions(t));
  const only = t.device === null ? -1 : reader.devices.id(t.device);
  for await (const b of reader.columns()) {
    for (let i = 0; i < b.n; i++) {
      if (only >= 0 && b.device[i] !== only) continue;
      const e = Math.ceil((b.offset[i] + b.length[i]) / t.align) * t.align;
      if (e > end) end = e;
    }
  }
  return end;
}

function readerOptions(t: TraceJobSpec, hash = false) {
  return { format: t.format ?? undefined, maxBadLines: t.maxBadLines, columns: t.columns, offsetUnit: t.offsetUnit, timeUnit: t.timeUnit, hash };
}

/**
 * `hold` (the deterministic scheduler's) stops virtual time while the file is read, so the
 * replay stays a pure function of the trace.
 */
export function createTraceSource(job: JobSpec, hold?: (work: Promise<unknown>) => void): TraceSource {
  const t = job.trace!;
  const reader = new TraceReader(t.file, readerOptions(t, true));
  const columns = reader.columns();
  // Device names get ids in order of first appearance: naming ours first gives it one up front.
  const only = t.device === null ? -1 : reader.devices.id(t.device);
  const { offset: base, span } = job.region;
  const a = t.align;
  const maxOps = job.stop.ops ?? Infinity;
  const maxBytes = job.stop.bytes ?? Infinity;
  const original = t.timing === 'original';
  let scale = t.scale ?? 1;
  let started = t.fit !== 'scale' || t.scale !== null;
  let batch: RequestBatch | null = null;
  let i = 0;
  let ended = false;
  /** The next chunk, being read while this one is replayed. */
  let ahead: Promise<IteratorResult<RequestBatch>> | null = null;
  let refill: Promise<void> | null = null;
  let replayed = 0;
  let bytes = 0;
  let otherDevices = 0;
  let fitted = 0;
  let t0: number | null = null;

  /** Row j of the batch fitted onto the region; null when nothing is left of it. */
  const fit = (b: RequestBatch, j: number, op: number): IoRequest | null => {
    if (op === FLUSH) return { op: 'flush', offset: 0, length: 0 };
    const at = b.offset[j] / scale;
    let offset = Math.floor(at / a) * a;
    let length = Math.ceil((at + b.length[j]) / a) * a - offset;
    if (offset + length > span) {
      if (t.fit === 'error') {
        throw new TraceError(t.file, `request ${b.offset[j]}+${b.length[j]} (${OP_CODES[op]}) ends past the job's region of ${span} bytes; set trace.fit to wrap or scale, or make image.size larger`, b.line[j], undefined, 'offset');
      }
      if (offset >= span) offset = Math.floor((offset % span) / a) * a;
      if (offset + length > span) length = span - offset;
      fitted++;
      if (length === 0) return null;
    } else if (scale !== 1) fitted++;
    return { op: OPS[op], offset: base + offset, length };
  };

  const take = (): IoRequest | null | undefined => {
    const b = batch;
    if (b) {
      while (i < b.n) {
        if (replayed >= maxOps || bytes >= maxBytes) return null;
        const j = i++;
        if (only >= 0 && b.device[j] !== only) {
          otherDevices++;
          continue;
        }
        const op = b.op[j];
        if (b.length[j] === 0 && op !== FLUSH) continue;
        const req = fit(b, j, op);
        if (!req) continue;
        replayed++;
        bytes += req.length;
        if (original) {
          if (t0 === null) t0 = b.time[j];
          req.at = Math.max(0, (b.time[j] - t0) / t.speed);
        }
        return req;
      }
    }
    if (ended && replayed === 0 && maxOps > 0 && maxBytes > 0) {
      // A job that replays nothing measures nothing: say why rather than write empty results.
      const what = only >= 0 ? `no requests for device "${t.device}" (job ${job.name}'s trace.device; \`qed-bench trace stats\` lists the devices)` : `no requests (job ${job.name})`;
      throw new TraceError(t.file, `${what}; nothing to replay`);
    }
    return ended ? null : undefined;
  };

  const load = async (): Promise<void> => {
    if (!started) {
      const extent = await traceExtent(t);
      scale = Math.max(1, Math.ceil(extent / span));
      started = true;
    }
    const n = await (ahead ?? columns.next());
    ahead = null;
    if (n.done) ended = true;
    else {
      if (batch) reader.recycle(batch); // every row of it taken: the read-ahead below may refill it
      batch = n.value;
      i = 0;
      // Read on while this chunk is replayed.
      ahead = columns.next();
      ahead.catch(() => {}); // its error surfaces when the chunk is taken
    }
  };

  const next = (): IoRequest | null | Promise<IoRequest | null> => {
    const r = take();
    if (r !== undefined) return r;
    if (!refill) {
      // Under a hold (virtual time) the waiting workers resume a macrotask later, after every
      // other promise chain has settled, so where their requests queue does not depend on
      // whether the read-ahead had already landed.
      refill = (hold ? load().then(() => setImmediate()) : load()).finally(() => (refill = null));
      hold?.(refill);
    }
    return refill.then(next);
  };

  return {
    next,
    async close() {
      if (ahead) await ahead.catch(() => {});
      await columns.return(undefined);
    },
    summary: () => ({ ...reader.summary(), job: job.name, device: t.device, fit: t.fit, replayed, otherDevices, fitted }),
  };
}
