/**
 * The main-thread side of a ring I/O pool: worker threads doing blocking positional reads and
 * writes into shared memory, fed through a submission ring and drained in batches. A request
 * costs the main thread a copy into (or out of) its slot and a few atomic stores; a sleeping
 * worker is woken only when one sleeps, and the main thread is woken (Atomics.waitAsync) once
 * for every batch of completions it finds, not once per request.
 */
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { probeDirectAlignment } from './direct-align.js';
import * as L from './ring-layout.js';
import { ringWorkerMain, takeSubmission, type RingWorkerData } from './ring-worker.js';

/** A finished piece: bytes done, or the worker's error (errno code and message). */
export type PieceResult = { bytes: number; error?: undefined } | { bytes: -1; error: { code: string; message: string } };

interface Pending {
  op: number;
  /** Where a read's bytes go (the caller's buffer, already narrowed to this piece). */
  dst: Uint8Array | null;
  resolve: (r: PieceResult) => void;
}

/**
 * Worker threads per pool by default. Page-cache I/O: 4 (more threads than cores only add
 * wake-ups there; docs/engine.md). O_DIRECT: 8. Each worker keeps one request at the device,
 * but on this 2-core machine a request's time goes to waking threads, not to the device (about
 * 0.1 ms there at depth 32), and every worker more costs wake-ups and a JIT of its own: against
 * qemu-img bench -t none, depth 32, 4 KiB reads went 0.40x with 32 workers, 0.50x with 16,
 * 0.69x with 8, 0.68-0.90x with 4 (writes 0.47x, 0.65x, 0.66x with 32, 8, 4) in one loaded run
 * (docs/engine.md). 8 keeps some depth at the device for a quieter machine.
 */
export const DEFAULT_RING_THREADS = 4;
export const DEFAULT_DIRECT_THREADS = 8;

/** Longest the main thread sleeps before it looks at the slots again, whatever it was told. */
const DRAIN_WAIT_MS = 200;
/**
 * Bounded waits in a row that may find requests in flight with no worker holding them (every
 * worker asleep, nothing queued, no completion) before the pool gives up on them: 25, 5 s. A
 * slow device cannot cause that state (a worker in a read or write is not counted asleep), so the
 * limit does not grow with device latency; it is there because no such state should exist (the
 * claim race fixed in ring-worker.ts takeSubmission made one), and a clean error beats a hang.
 */
const STUCK_BOUNDS = 25;

/** Atomics.waitAsync (Node 16+; TypeScript's lib types it from es2024 only). */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, timeoutMs?: number): { async: false; value: string } | { async: true; value: Promise<string> } }).waitAsync;

const LAYOUT: Record<string, number> = Object.fromEntries(Object.entries(L).filter(([, v]) => typeof v === 'number')) as Record<string, number>;
const WORKER_SOURCE = `(${ringWorkerMain.toString()})(require('node:fs'), require('node:worker_threads'), ${takeSubmission.toString()})`;

/**
 * Pools shared by every file of the process, started at first use and kept (their threads
 * unref'd, so an idle pool never keeps the process alive): a worker thread takes tens of
 * milliseconds to start, too much for every open. One pool for page-cache I/O, one per device
 * for O_DIRECT (its slots' memory alignment is probed on that device).
 */
const shared = new Map<string, RingPool>();

/** The shared pool for a file: `direct` gives the O_DIRECT file's directory and descriptor, for the alignment probe. */
export function ringPoolFor(threads: number | undefined, direct: { dir: string; fd: number } | null): RingPool | null {
  const n = threads ?? (direct ? DEFAULT_DIRECT_THREADS : DEFAULT_RING_THREADS);
  const key = direct ? `${n}:direct:${fs.fstatSync(direct.fd).dev}` : `${n}:writeback`;
  let pool = shared.get(key);
  if (!pool || pool.isBroken()) {
    pool = new RingPool(n);
    if (direct && !pool.probeAlignment(direct.dir, direct.fd)) {
      void pool.stop();
      return null;
    }
    shared.set(key, pool);
  }
  return pool;
}

export class RingPool {
  private readonly ctl: Int32Array;
  private readonly metaI: Int32Array;
  private readonly metaF: Float64Array;
  private readonly data: SharedArrayBuffer;
  private readonly err: Uint8Array;
  private readonly workers: Worker[];
  private readonly free: number[] = [];
  private readonly pending: (Pending | null)[] = new Array<Pending | null>(L.SLOTS).fill(null);
  /** Slots submitted and not yet drained. */
  private readonly busy = new Set<number>();
  /** Pieces waiting for a free slot (more than SLOTS in flight). */
  private readonly backlog: (() => void)[] = [];
  private armed = false;
  /** Submissions since the last kick: woken workers, once per turn of the event loop. */
  private unkicked = 0;
  /** Wakes as many sleeping workers as there are new submissions, in one call, after the turn's submissions. */
  private readonly kick = (): void => {
    const n = this.unkicked;
    this.unkicked = 0;
    if (Atomics.load(this.ctl, L.SLEEPERS) > 0) Atomics.notify(this.ctl, L.SQ_TAIL, n);
  };
  private refed = false;
  private stopped = false;
  private readonly dec = new TextDecoder();
  /** A worker that died (it should not): every later request fails with this. */
  private broken: Error | null = null;

  constructor(threads = DEFAULT_RING_THREADS) {
    const ctl = new SharedArrayBuffer(L.CTL_WORDS * 4);
    const meta = new SharedArrayBuffer(L.SLOTS * L.META_F64_PER_SLOT * 8);
    // One slot more than SLOTS: scratch room for the alignment probe.
    this.data = new SharedArrayBuffer((L.SLOTS + 1) * L.SLOT_BYTES + L.ALIGN_PAD);
    const err = new SharedArrayBuffer(L.SLOTS * L.ERR_BYTES);
    this.ctl = new Int32Array(ctl);
    this.metaI = new Int32Array(meta);
    this.metaF = new Float64Array(meta);
    this.err = new Uint8Array(err);
    for (let s = L.SLOTS - 1; s >= 0; s--) this.free.push(s);
    const workerData: RingWorkerData = { ctl, meta, data: this.data, err, layout: LAYOUT };
    this.workers = Array.from({ length: threads }, () => {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData });
      w.unref();
      w.on('error', (e) => this.fail(new Error(`an I/O worker thread threw ${e.name}: ${e.message}`)));
      w.on('exit', (code) => {
        if (!this.stopped) this.fail(new Error(`an I/O worker thread exited (code ${code})`));
      });
      return w;
    });
  }

  /**
   * For O_DIRECT: finds where in the data area memory is 4 KiB-aligned and the device's block
   * size (direct-align.ts), using the spare slot after the SLOTS as scratch room. Call before any
   * request. Returns false when the filesystem refuses O_DIRECT.
   */
  probeAlignment(dir: string, fd: number): boolean {
    const found = probeDirectAlignment(this.data, L.SLOTS * L.SLOT_BYTES, dir, fd);
    if (!found) return false;
    Atomics.store(this.ctl, L.DATA_BASE, found.base);
    this.directAlign = found.align;
    return true;
  }

  /** Reads `dst.length` (at most SLOT_BYTES) bytes at `offset` into `dst`; bytes past the end are left to the caller. */
  read(fd: number, dst: Uint8Array, offset: number): Promise<PieceResult> {
    return this.submit(L.OP_READ, fd, offset, dst.length, null, dst);
  }

  /** Writes `src` (at most SLOT_BYTES) at `offset`. */
  write(fd: number, src: Uint8Array, offset: number): Promise<PieceResult> {
    return this.submit(L.OP_WRITE, fd, offset, src.length, src, null);
  }

  /** O_DIRECT offset and length alignment (the device's logical block size, probed; 4 KiB before the probe). */
  directAlign = 4096;

  /**
   * Workers found waiting with requests untaken after a bounded wait timed out, and woken (see
   * rescue): lost wake-ups. Zero in every stress run so far (test/io/ring-stress.test.ts).
   */
  lostWakeups = 0;

  /** Bounded waits in a row that found requests in flight held by no worker (watch). */
  private stuckRun = 0;
  /** How many such waits fail the pool (STUCK_BOUNDS; tests lower it). */
  stuckBounds = STUCK_BOUNDS;

  /** Worker threads in this pool. */
  get threads(): number {
    return this.workers.length;
  }

  isBroken(): boolean {
    return this.broken !== null || this.stopped;
  }

  /** Stops the workers; call once nothing is in flight. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    Atomics.store(this.ctl, L.STOP, 1);
    Atomics.add(this.ctl, L.SQ_TAIL, 0);
    Atomics.notify(this.ctl, L.SQ_TAIL);
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private submit(op: number, fd: number, offset: number, length: number, src: Uint8Array | null, dst: Uint8Array | null): Promise<PieceResult> {
    return new Promise<PieceResult>((resolve) => {
      const go = (): void => {
        if (this.broken) return resolve({ bytes: -1, error: { code: 'EIO', message: this.broken.message } });
        const slot = this.free.pop()!;
        const mi = slot * L.META_I32_PER_SLOT;
        this.metaI[mi + L.M_OP] = op;
        this.metaI[mi + L.M_FD] = fd;
        this.metaI[mi + L.M_LENGTH] = length;
        this.metaI[mi + L.M_STATE] = 0;
        this.metaF[slot * L.META_F64_PER_SLOT + L.M_OFFSET] = offset;
        if (src) new Uint8Array(this.data, this.ctl[L.DATA_BASE] + slot * L.SLOT_BYTES, length).set(src);
        this.pending[slot] = { op, dst, resolve };
        this.busy.add(slot);
        const tail = this.ctl[L.SQ_TAIL];
        Atomics.store(this.ctl, L.SQ_BASE + ((tail >>> 0) % L.SLOTS), slot);
        Atomics.store(this.ctl, L.SQ_TAIL, (tail + 1) | 0);
        this.unkicked++;
        if (this.unkicked === 1) setImmediate(this.kick);
        this.arm();
      };
      if (this.free.length > 0) go();
      else this.backlog.push(go);
    });
  }

  /** Keeps the process alive and a drain pending while anything is in flight. */
  private arm(): void {
    if (!this.refed) {
      this.refed = true;
      for (const w of this.workers) w.ref();
    }
    if (!this.armed) {
      this.armed = true;
      this.drain();
    }
  }

  /** Completes every finished slot, then waits (asynchronously) for the next completion, until nothing is in flight. */
  private drain(): void {
    for (;;) {
      const seq = Atomics.load(this.ctl, L.DONE_SEQ);
      for (const slot of this.busy) {
        if (Atomics.load(this.metaI, slot * L.META_I32_PER_SLOT + L.M_STATE) === L.STATE_DONE) this.complete(slot);
      }
      if (this.busy.size === 0) {
        this.armed = false;
        if (this.refed) {
          this.refed = false;
          for (const w of this.workers) w.unref();
        }
        return;
      }
      Atomics.store(this.ctl, L.MAIN_WAITING, 1);
      // A bounded wait: a lost wake-up (none seen yet) costs at most this long instead of the
      // process, and a request no worker holds is found here (watch); a wait this long is idle anyway.
      const w = waitAsync(this.ctl, L.DONE_SEQ, seq, DRAIN_WAIT_MS);
      if (w.async) {
        void w.value.then((how) => {
          Atomics.store(this.ctl, L.MAIN_WAITING, 0);
          if (how === 'timed-out') {
            this.rescue();
            this.watch(seq);
          } else this.stuckRun = 0;
          this.drain();
        });
        return;
      }
    }
  }

  /**
   * After a bounded wait timed out: requests still untaken while workers are counted asleep get
   * the workers woken again. A worker that was really waiting then (Atomics.notify counts it)
   * missed its wake-up: without this the bound would poll forever, every worker asleep. A worker woken but not yet run (a busy machine)
   * is not counted. A completion counted while the main thread's wait timed out cannot be told
   * from a worker descheduled between its count and its notify, so it is not counted either.
   */
  private rescue(): void {
    // Submitted but not yet kicked (the event loop was blocked past the bound): not a lost wake-up.
    if (this.unkicked > 0) return;
    const waiting = (Atomics.load(this.ctl, L.SQ_TAIL) - Atomics.load(this.ctl, L.SQ_HEAD)) | 0;
    if (waiting > 0 && Atomics.load(this.ctl, L.SLEEPERS) > 0) {
      const woken = Atomics.notify(this.ctl, L.SQ_TAIL, waiting);
      if (woken > 0) this.lostWakeups++;
    }
  }

  /**
   * After a bounded wait timed out: requests in flight (none done since `seq`, read before the
   * slots were scanned) while nothing is queued and every worker is counted asleep are held by no
   * worker and will never complete. Read in this order, the counts cannot mislead: a worker
   * finishing a request bumps the done count before it counts itself asleep, and one holding a
   * request is not counted asleep. After stuckBounds such waits in a row the pool fails them.
   */
  private watch(seq: number): void {
    const stuck =
      this.unkicked === 0 &&
      this.busy.size > 0 &&
      Atomics.load(this.ctl, L.SLEEPERS) >= this.workers.length &&
      Atomics.load(this.ctl, L.SQ_TAIL) === Atomics.load(this.ctl, L.SQ_HEAD) &&
      Atomics.load(this.ctl, L.DONE_SEQ) === seq;
    this.stuckRun = stuck ? this.stuckRun + 1 : 0;
    if (this.stuckRun >= this.stuckBounds) {
      const s = (this.stuckRun * DRAIN_WAIT_MS) / 1000;
      this.fail(new Error(`the I/O worker threads stopped responding: ${this.busy.size} request(s) in flight for ${s} s with every worker idle and none queued`));
    }
  }

  private complete(slot: number): void {
    const p = this.pending[slot]!;
    const mi = slot * L.META_I32_PER_SLOT;
    const n = this.metaI[mi + L.M_RESULT];
    let r: PieceResult;
    if (n < 0) {
      const text = this.dec.decode(this.err.subarray(slot * L.ERR_BYTES, slot * L.ERR_BYTES + this.metaI[mi + L.M_ERRLEN]));
      const nl = text.indexOf('\n');
      r = { bytes: -1, error: { code: text.slice(0, nl), message: text.slice(nl + 1) } };
    } else {
      if (p.dst) p.dst.set(new Uint8Array(this.data, this.ctl[L.DATA_BASE] + slot * L.SLOT_BYTES, n));
      r = { bytes: n };
    }
    this.pending[slot] = null;
    this.busy.delete(slot);
    this.free.push(slot);
    p.resolve(r);
    const next = this.backlog.shift();
    if (next) next();
  }

  /**
   * A worker died, or requests stopped completing (watch): fail what is in flight (its slot may
   * never complete) and everything after. The pool is broken: ringPoolFor starts a new one for
   * the next file, and this one's other workers are told to exit.
   */
  private fail(e: Error): void {
    if (this.broken || this.stopped) return;
    this.broken = new Error(`the ring I/O pool failed: ${e.message}`);
    Atomics.store(this.ctl, L.STOP, 1);
    Atomics.notify(this.ctl, L.SQ_TAIL);
    for (const slot of [...this.busy]) {
      const p = this.pending[slot]!;
      this.pending[slot] = null;
      this.busy.delete(slot);
      p.resolve({ bytes: -1, error: { code: 'EIO', message: this.broken.message } });
    }
    for (const go of this.backlog.splice(0)) go();
  }
}

