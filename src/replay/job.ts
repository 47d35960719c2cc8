/** Replaying one job of a phase: its workers keep `iodepth` requests in flight. */
import { setImmediate } from 'node:timers/promises';
import { BackendError } from '../io/backend.js';
import { QedFormatError } from '../qed/errors.js';
import type { QedImage } from '../qed/image.js';
import type { PhaseCollector } from '../metrics/phase.js';
import type { IoRequest, JobSpec, RequestSource } from '../workload/types.js';
import { sharedZeros } from '../util/zeros.js';
import type { ReplayClock } from './clock.js';
import type { MappingShadow } from './mapping-shadow.js';
import type { ShadowModel } from './shadow.js';

/** Shared state of one phase's replay: what every job's workers report into. */
export interface ReplayContext {
  img: QedImage;
  shadow: ShadowModel | null;
  /** A metadata-only replay's mapping-level shadow (no bytes to verify). */
  mappings?: MappingShadow | null;
  collector: PhaseCollector;
  clock: ReplayClock;
  /** True once the user interrupted or a phase-wide stop was reached. */
  stopped: () => boolean;
  inFlight: number;
  onRequestDone: () => void;
}

/**
 * Under the wall clock each worker gives the event loop a turn every this many requests: with
 * image.io sync every I/O promise is already settled, so without it a replay runs on microtasks
 * alone and neither Ctrl-C nor the progress bar's timer ever runs. Each worker counts its own
 * (one setImmediate per 64 requests; the loop turns once all workers wait on theirs). Not under
 * the virtual clock: its scheduler decides every interleaving, and its results must not change.
 */
const YIELD_EVERY = 64;

/**
 * Run one job: `iodepth` workers pull from the job's request stream and keep that many
 * requests in flight until the stream ends, the job's duration passes, or the replay stops.
 */
export async function runJob(job: JobSpec, source: RequestSource, ctx: ReplayContext): Promise<void> {
  const { clock } = ctx;
  const deadline = job.stop.durationMs !== undefined ? clock.now() + job.stop.durationMs * 1e6 : Infinity;
  const yields = clock.kind === 'wall-clock';
  const start = clock.now();
  const worker = async (): Promise<void> => {
    const scratch: Scratch = { buf: null };
    let sinceYield = 0;
    while (!ctx.stopped() && clock.now() < deadline) {
      const next = source.next();
      const req = next instanceof Promise ? await next : next;
      if (!req) return;
      if (req.at !== undefined && start + req.at > clock.now()) await clock.sleep((start + req.at - clock.now()) / 1000); // trace timing
      if (job.thinkTimeUs > 0) await clock.sleep(job.thinkTimeUs);
      await issue(req, ctx, scratch);
      if (yields && ++sinceYield === YIELD_EVERY) {
        sinceYield = 0;
        await setImmediate();
      }
    }
  };
  await Promise.all(Array.from({ length: job.iodepth }, worker));
}

/**
 * A worker's read buffer, reused from request to request (a fresh buffer per request was a
 * large share of the runner's cost). Dropped after a failed read, whose I/O may still be landing.
 */
export interface Scratch {
  buf: Uint8Array | null;
  /** The last view handed out (reused while requests keep one size: no view per request). */
  view?: Uint8Array;
}

function readBuffer(scratch: Scratch | undefined, length: number): Uint8Array {
  if (!scratch) return new Uint8Array(length);
  if (!scratch.buf || scratch.buf.length < length) scratch.buf = new Uint8Array(length);
  else if (scratch.view?.buffer === scratch.buf.buffer && scratch.view.length === length) return scratch.view;
  return (scratch.view = scratch.buf.subarray(0, length));
}

/** Issue one request to the engine, verify it against the shadow model, and record it. */
export async function issue(req: IoRequest, ctx: ReplayContext, scratch?: Scratch): Promise<void> {
  const { img, shadow } = ctx;
  ctx.inFlight++;
  const t0 = ctx.clock.now();
  let error: string | null = null;
  try {
    if (req.op === 'read') {
      const buf = readBuffer(scratch, req.length);
      const token = shadow?.beginRead(req.offset, req.length);
      let ok = false;
      try {
        await img.read(buf, req.offset);
        ok = true;
      } finally {
        if (token) shadow!.endRead(token, ok ? buf : null);
        if (!ok && scratch) scratch.buf = null;
      }
    } else if (req.op === 'write' || req.op === 'zero') {
      const zero = req.op === 'zero';
      const w = shadow ? shadow.beginWrite(req.offset, req.length, zero) : { seq: 0, data: zero ? null : sharedZeros(req.length) };
      const mapSeq = ctx.mappings?.beginWrite(req.offset, req.length);
      let ok = false;
      try {
        if (zero) await img.writeZeroes(req.offset, req.length);
        else await img.write(w.data!, req.offset);
        ok = true;
      } finally {
        shadow?.endWrite(w.seq, ok);
        if (mapSeq !== undefined) ctx.mappings!.endWrite(mapSeq, req.offset, req.length, ok, zero);
      }
    } else {
      const t = shadow?.beginFlush();
      const mt = ctx.mappings?.beginFlush();
      let ok = false;
      try {
        await img.flush();
        ok = true;
      } finally {
        if (t !== undefined) shadow!.endFlush(t, ok);
        if (mt !== undefined) ctx.mappings!.endFlush(mt, ok);
      }
    }
  } catch (err) {
    // I/O errors and corrupt metadata are results to count; anything else is our bug.
    if (!(err instanceof BackendError || err instanceof QedFormatError)) throw err;
    error = err instanceof BackendError ? err.code : err.name;
  }
  ctx.inFlight--;
  ctx.collector.record(req.op, req.length, ctx.clock.now() - t0, error, ctx.inFlight);
  ctx.onRequestDone();
}

