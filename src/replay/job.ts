/** Replaying one job of a phase: its workers keep `iodepth` requests in flight. */
import { setImmediate } from 'node:timers/promises';
import { BackendError, type Origin } from '../io/backend.js';
import { QedFormatError } from '../qed/errors.js';
import type { QedImage } from '../qed/image.js';
import type { PhaseCollector } from '../metrics/phase.js';
import type { IoRequest, JobSpec, RequestSource } from '../workload/types.js';
import { sharedZeros } from '../util/zeros.js';
import type { ReplayClock } from './clock.js';
import type { MappingShadow } from './mapping-shadow.js';
import type { ShadowModel } from './shadow.js';
import { SoloLoop, type SoloLoopParts } from './solo-loop.js';
import { SoloWorker, type SoloReads } from './solo-reads.js';

/** Shared state of one phase's replay: what every job's workers report into. */
export interface ReplayContext {
  img: QedImage;
  shadow: ShadowModel | null;
  /** A metadata-only replay's mapping-level shadow (no bytes to verify). */
  mappings?: MappingShadow | null;
  /** Data reads return only zeros (a metadata-only store, no backing file): a worker's read buffer, zero when made, stays so and is not filled again. */
  zeroedReads?: boolean;
  /** Set for a phase of generated reads under the deterministic scheduler (solo-reads.ts): its direct readers go on by callback (solo-loop.ts), one alone without a turn after a read done at once. */
  solo?: SoloReads | null;
  collector: PhaseCollector;
  clock: ReplayClock;
  /** True once the user interrupted or a phase-wide stop was reached. */
  stopped: () => boolean;
  inFlight: number;
  onRequestDone: () => void;
}

/**
 * Under the wall clock the workers give the event loop a turn once this long (ns) has passed
 * since the last: with page-cached I/O done inline (io sync, auto) every I/O promise is already
 * settled, so without it a replay runs on microtasks alone and neither Ctrl-C nor the progress
 * bar's timer ever runs. All workers wait on the one turn (the loop turns only once none is
 * running). By time, not by count: a turn every 64 requests per worker cost about 1 µs per
 * request (bench:peers, page-cached reads). Not often: a turn also runs V8's pending tasks, and
 * every 20 ms the first ones of a run started incremental marking and a full GC (5-20 ms and a
 * marking thread on the other core) in nearly every bench:peers run of 30,000 writes (0.78x of
 * the engine's lane loop, which never yields; 0.91x at 250 ms; docs/peers.md). Not under the
 * virtual clock: its scheduler decides every interleaving, and its results must not change.
 */
const TURN_EVERY_NS = 250e6;

/** A worker's origin (the deterministic scheduler's canonical order): job `k` of its phase, worker `i` of the job. */
export function workerOrigin(k: number, i: number): Origin {
  return k * 4096 + i; // i < 4096, the most iodepth allows
}

/**
 * Run one job (the `jobIndex`th of its phase): `iodepth` workers pull from the job's request
 * stream and keep that many requests in flight until the stream ends, the job's duration
 * passes, or the replay stops.
 */
export async function runJob(job: JobSpec, source: RequestSource, ctx: ReplayContext, jobIndex = 0): Promise<void> {
  const { clock } = ctx;
  const deadline = job.stop.durationMs !== undefined ? clock.now() + job.stop.durationMs * 1e6 : Infinity;
  const yields = clock.kind === 'wall-clock';
  const timed = deadline !== Infinity;
  // Nothing to keep in step per request (no shadow, no mapping shadow): the worker awaits the
  // engine itself, one async frame less per request (bench:peers' runner-vs-engine gap). Under
  // the virtual clock too (its scheduler's canonical order does not follow the awaits), and for
  // reads of a metadata-only replay, whose mappings the engine checks (onDataRun).
  const direct = !ctx.shadow && !ctx.mappings;
  const directReads = !ctx.shadow && (direct || !yields);
  const start = clock.now();
  let lastTurn = start;
  let turn: Promise<void> | null = null;
  const takeTurn = (): Promise<void> =>
    (turn ??= setImmediate().then(() => {
      turn = null;
      lastTurn = clock.now();
    }));
  const worker = async (_: unknown, index: number): Promise<void> => {
    if (ctx.solo && directReads) return soloWorker(index, new SoloWorker(ctx.solo));
    await work(index);
  };
  // A solo-reads phase's worker goes on by callback (solo-loop.ts); settles when its stream ends.
  const soloWorker = (index: number, solo: SoloWorker): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const scratch: Scratch = { buf: null };
      const parts: SoloLoopParts = {
        source,
        img: ctx.img,
        zeroed: ctx.zeroedReads ?? false,
        origin: workerOrigin(jobIndex, index),
        clock,
        stopped: ctx.stopped,
        deadline,
        buffer: (length) => readBuffer(scratch, length),
        issued: () => void ctx.inFlight++,
        finish: (req, t0, err) => {
          let error: string | null = null;
          if (err !== null) {
            error = errorCode(err);
            scratch.buf = null;
          }
          return done(req, ctx, t0, error);
        },
      };
      new SoloLoop(parts, solo, (err) => (err === undefined ? resolve() : reject(err))).run();
    });
  const work = async (index: number): Promise<void> => {
    const origin = workerOrigin(jobIndex, index);
    const scratch: Scratch = { buf: null };
    // The clock at this worker's last completion, or -1 once it may have moved since (an await):
    // the next request's issue time when nothing came between, one reading per request instead
    // of two (a reading is about 70 ns; what comes between is this loop's own bookkeeping).
    let t = -1;
    while (!ctx.stopped() && (!timed || (t < 0 ? clock.now() : t) < deadline)) {
      const next = source.next();
      let req: IoRequest | null = next as IoRequest | null;
      if (next instanceof Promise) {
        req = await next;
        t = -1;
      }
      if (!req) return;
      if (req.at !== undefined && start + req.at > clock.now()) {
        await clock.sleep((start + req.at - clock.now()) / 1000, origin); // trace timing
        t = -1;
      }
      if (job.thinkTimeUs > 0) {
        await clock.sleep(job.thinkTimeUs, origin);
        t = -1;
      }
      if (req.op === 'read' ? directReads : direct && req.op === 'write') {
        ctx.inFlight++;
        const t0 = t < 0 ? clock.now() : t;
        let error: string | null = null;
        try {
          if (req.op !== 'read') await ctx.img.write(zeroBuffer(scratch, req.length), req.offset, origin);
          else await ctx.img.read(readBuffer(scratch, req.length), req.offset, origin, ctx.zeroedReads);
        } catch (err) {
          error = errorCode(err);
          if (req.op === 'read') scratch.buf = null;
        }
        t = done(req, ctx, t0, error);
        if (yields && (t - lastTurn > TURN_EVERY_NS || turn)) {
          await takeTurn();
          t = -1;
        }
      } else {
        await issue(req, ctx, scratch, origin);
        t = -1;
        if (yields && (turn || clock.now() - lastTurn > TURN_EVERY_NS)) await takeTurn();
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
  /** The last view of the shared zeros a write took, reused likewise (backends never write into a write's buffer). */
  zeros?: Uint8Array;
}

function zeroBuffer(scratch: Scratch | undefined, length: number): Uint8Array {
  if (!scratch) return sharedZeros(length);
  if (scratch.zeros?.length !== length) scratch.zeros = sharedZeros(length);
  return scratch.zeros;
}

function readBuffer(scratch: Scratch | undefined, length: number): Uint8Array {
  if (!scratch) return new Uint8Array(length);
  if (scratch.buf?.length === length) return scratch.buf; // the usual case: no view to make
  if (!scratch.buf || scratch.buf.length < length) scratch.buf = new Uint8Array(length);
  else if (scratch.view?.buffer === scratch.buf.buffer && scratch.view.length === length) return scratch.view;
  return (scratch.view = scratch.buf.subarray(0, length));
}

/** Issue one request to the engine (tagged `origin`), verify it against the shadow model, and record it. */
export async function issue(req: IoRequest, ctx: ReplayContext, scratch?: Scratch, origin?: Origin): Promise<void> {
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
        await img.read(buf, req.offset, origin, ctx.zeroedReads);
        ok = true;
      } finally {
        if (token) shadow!.endRead(token, ok ? buf : null);
        if (!ok && scratch) scratch.buf = null;
      }
    } else if (req.op === 'write' || req.op === 'zero') {
      const zero = req.op === 'zero';
      const w = shadow ? shadow.beginWrite(req.offset, req.length, zero) : { seq: 0, data: zero ? null : zeroBuffer(scratch, req.length) };
      const mapSeq = ctx.mappings?.beginWrite(req.offset, req.length);
      let ok = false;
      try {
        if (zero) await img.writeZeroes(req.offset, req.length, origin);
        else await img.write(w.data!, req.offset, origin);
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
        await img.flush(origin);
        ok = true;
      } finally {
        if (t !== undefined) shadow!.endFlush(t, ok);
        if (mt !== undefined) ctx.mappings!.endFlush(mt, ok);
      }
    }
  } catch (err) {
    error = errorCode(err);
  }
  done(req, ctx, t0, error);
}

/** I/O errors and corrupt metadata are results to count (by code); anything else is our bug. */
export function errorCode(err: unknown): string {
  if (!(err instanceof BackendError || err instanceof QedFormatError)) throw err;
  return err instanceof BackendError ? err.code : err.name;
}

/** Records a finished request (started at `t0`); returns the clock's time at its end. */
function done(req: IoRequest, ctx: ReplayContext, t0: number, error: string | null): number {
  ctx.inFlight--;
  const t1 = ctx.clock.now();
  ctx.collector.record(req.op, req.length, t1 - t0, error, ctx.inFlight);
  ctx.onRequestDone();
  return t1;
}

