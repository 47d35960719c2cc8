/**
 * A trace job's request stream: the trace's requests for the chosen device, fitted onto the
 * job's region (error, wrap or scale), aligned, limited by the job's stop, and stamped with
 * their due time when timing is original. Reads ahead one batch; memory is one batch.
 */
import type { IoRequest, JobSpec, RequestSource, TraceJobSpec } from '../types.js';
import { TraceReader, type TraceReadSummary } from './reader.js';
import { TraceError, type TraceOp, type TraceRequest } from './types.js';

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

const OPS: Record<TraceOp, IoRequest['op']> = { read: 'read', write: 'write', trim: 'zero', flush: 'flush' };

/** The end of the trace's furthest request after alignment: what fit scale divides by. */
export async function traceExtent(t: TraceJobSpec): Promise<number> {
  let end = 0;
  const reader = new TraceReader(t.file, readerOptions(t));
  for await (const batch of reader.batches()) {
    for (const r of batch) {
      if (t.device !== null && r.device !== t.device) continue;
      const e = Math.ceil((r.offset + r.length) / t.align) * t.align;
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
  const batches = reader.batches();
  const { offset: base, span } = job.region;
  const maxOps = job.stop.ops ?? Infinity;
  const maxBytes = job.stop.bytes ?? Infinity;
  let scale = t.scale ?? 1;
  let started = t.fit !== 'scale' || t.scale !== null;
  let batch: TraceRequest[] = [];
  let i = 0;
  let ended = false;
  let refill: Promise<void> | null = null;
  let replayed = 0;
  let bytes = 0;
  let otherDevices = 0;
  let fitted = 0;
  let t0: number | null = null;

  const fit = (r: TraceRequest): IoRequest => {
    const a = t.align;
    let offset = Math.floor(r.offset / scale / a) * a;
    let length = Math.ceil((r.offset / scale + r.length) / a) * a - offset;
    if (r.op === 'flush') return { op: 'flush', offset: 0, length: 0 };
    if (offset + length > span) {
      if (t.fit === 'error') {
        throw new TraceError(t.file, `request ${r.offset}+${r.length} (${r.op}) ends past the job's region of ${span} bytes; set trace.fit to wrap or scale, or make image.size larger`, r.line, undefined, 'offset');
      }
      if (offset >= span) offset = Math.floor((offset % span) / a) * a;
      if (offset + length > span) length = span - offset;
      fitted++;
    } else if (scale !== 1) fitted++;
    return { op: OPS[r.op], offset: base + offset, length };
  };

  const take = (): IoRequest | null | undefined => {
    while (i < batch.length) {
      if (replayed >= maxOps || bytes >= maxBytes) return null;
      const r = batch[i++];
      if (t.device !== null && r.device !== t.device) {
        otherDevices++;
        continue;
      }
      if (r.length === 0 && r.op !== 'flush') continue;
      const req = fit(r);
      if (req.length === 0 && req.op !== 'flush') continue;
      replayed++;
      bytes += req.length;
      if (t.timing === 'original') {
        if (t0 === null) t0 = r.time;
        req.at = Math.max(0, (r.time - t0) / t.speed);
      }
      return req;
    }
    return ended ? null : undefined;
  };

  const load = async (): Promise<void> => {
    if (!started) {
      const extent = await traceExtent(t);
      scale = Math.max(1, Math.ceil(extent / span));
      started = true;
    }
    const n = await batches.next();
    if (n.done) ended = true;
    else {
      batch = n.value;
      i = 0;
    }
  };

  const next = (): IoRequest | null | Promise<IoRequest | null> => {
    const r = take();
    if (r !== undefined) return r;
    if (!refill) {
      refill = load().finally(() => (refill = null));
      hold?.(refill);
    }
    return refill.then(next);
  };

  return {
    next,
    async close() {
      await batches.return(undefined);
    },
    summary: () => ({ ...reader.summary(), job: job.name, device: t.device, fit: t.fit, replayed, otherDevices, fitted }),
  };
}
