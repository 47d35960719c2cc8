/**
 * The deterministic scheduler: a seeded choice of which pending request completes next, on a virtual clock.
 */
import { Rng } from '../util/random.js';
import { BackendError, type Done, type BlockBackend, type IoEvent, type Origin } from './backend.js';
import { FaultPlan, type FaultRule } from './faults.js';
import { sampleLatency, type LatencyModel } from './latency-model.js';
import type { PowerCut } from './power-cut.js';
import type { SparseBuffer } from './sparse-buffer.js';

export type { FaultRule };

/** A step goes through setImmediate (an event-loop turn) after this many steps or this many ms. */
const YIELD_STEPS = 4096;
const YIELD_MS = 10;
/**
 * A microtask is queued as a reaction to this: Node's queueMicrotask wraps each callback in an
 * AsyncResource, which cost about a tenth of a table miss in a metadata-only replay.
 */
const SETTLED = Promise.resolve();
/** The origin of an untagged request: after every tagged one of its step. */
const UNTAGGED = Number.MAX_SAFE_INTEGER;
/** A readThen request's resolve and reject: never called (its `then` is). */
const NO_RESOLVE = (): void => {};

export interface SchedulerOptions {
  seed: number;
  /** A completion may overtake at most this many earlier requests still pending, in the queue's canonical order (0: none). */
  reorder: number;
  latency: { read: LatencyModel; write: LatencyModel; flush: LatencyModel };
}

type OpKind = 'read' | 'write' | 'flush';

/** What a pending request runs on its inner backend when it completes. */
const enum Op {
  Read,
  ReadSparse,
  Write,
  Flush,
}

/** The latency model and completion kind of each op. */
const KIND: readonly OpKind[] = ['read', 'read', 'write', 'flush'];

interface Pending {
  device: string;
  inner: BlockBackend;
  op: Op;
  /** The request's buffer (a read's or a write's), its SparseBuffer (readSparse), its offset. */
  buf: Uint8Array | null;
  sparse: SparseBuffer | null;
  offset: number;
  event: IoEvent | undefined;
  issuedAt: number;
  /** The step it was issued after, and who issued it: its place in the queue (see submit). */
  epoch: number;
  origin: Origin;
  resolve: () => void;
  reject: (err: unknown) => void;
  /** Completion by callback instead (readThen): called as resolve or reject would be. */
  onDone: Done | null;
  /** Held by a breakpoint: not eligible to complete until its tag is resumed. */
  heldBy: string | null;
  fail: string | null;
  /** A flush under a power cut: the completion count it was issued at. */
  flushMark: number;
}

interface Timer {
  at: number;
  epoch: number;
  origin: Origin;
  id: number;
  resolve: () => void;
}

interface Breakpoint {
  event: IoEvent;
  tag: string;
  hit: boolean;
  waiters: Array<() => void>;
}

export interface SchedulerStats {
  completed: number;
  failedByCode: Record<string, number>;
  maxPending: number;
  virtualTimeUs: number;
}

/**
 * Decides when each request to the backends attached to it completes. Requests queue here; whenever
 * every promise chain has settled (see kick), one pending request is chosen with
 * a seeded generator among the `reorder + 1` oldest, run against the inner backend, and
 * completed at a virtual time drawn from the latency model. Nothing depends on real timing,
 * so a replay under it is a pure function of its inputs. Breakpoints hold requests by event
 * (blkdebug's break / wait_break / resume); fault rules fail them with an errno.
 */
export class DeterministicScheduler {
  private readonly pending: Pending[] = [];
  private readonly timers: Timer[] = [];
  private readonly breakpoints: Breakpoint[] = [];
  private readonly rng: Rng;
  readonly faults: FaultPlan;
  private nextId = 0;
  /** Steps taken: requests and timers issued between two steps share an epoch. */
  private epoch = 0;
  private clockUs = 0;
  private stepQueued = false;
  /** The queued step goes through setImmediate (see kick): stepNow must not overtake it. */
  private yieldQueued = false;
  /** Steps queued since the last one that went through setImmediate, and when that one ran (ms). */
  private sinceYield = 0;
  private yieldedAt = performance.now();
  private running = false;
  /** Outside work (a trace read) the next step must wait for; see hold(). */
  private holds = 0;
  private readonly s: SchedulerStats = { completed: 0, failedByCode: {}, maxPending: 0, virtualTimeUs: 0 };
  /** Called as each step begins, when every promise chain has settled (a point of the replay that no await count can move). */
  beforeStep: (() => void) | null = null;
  /** Called with each request as it completes. */
  onComplete: ((kind: OpKind, event: IoEvent | undefined, ok: boolean) => void) | null = null;
  private power: PowerCut | null = null;
  /** A cut was asked for while a request ran: undo once it is done. */
  private undoDue = false;

  constructor(private readonly opts: SchedulerOptions) {
    this.rng = new Rng(opts.seed, 0x5c4ed);
    this.faults = new FaultPlan([], opts.seed);
  }

  /** A backend whose requests this scheduler completes; all attached backends share one queue. */
  attach(inner: BlockBackend): BlockBackend {
    const submit = this.submit.bind(this);
    return {
      get name() {
        return inner.name;
      },
      get readOnly() {
        return inner.readOnly;
      },
      read: (buf, offset, event, origin) => submit(inner, Op.Read, buf, null, offset, event, origin),
      ...(inner.readSparse && { readSparse: (dst, offset, event, origin) => submit(inner, Op.ReadSparse, null, dst, offset, event, origin) }),
      readThen: (buf, offset, event, origin, done) => this.enter(this.pendingOf(inner, Op.Read, buf, null, offset, event, origin, NO_RESOLVE, NO_RESOLVE, done)),
      ...(inner.readSparse && { readSparseThen: (dst, offset, event, origin, done) => this.enter(this.pendingOf(inner, Op.ReadSparse, null, dst, offset, event, origin, NO_RESOLVE, NO_RESOLVE, done)) }),
      write: (buf, offset, event, origin) => submit(inner, Op.Write, buf, null, offset, event, origin),
      flush: (event, origin) => submit(inner, Op.Flush, null, null, 0, event, origin),
      truncate: (size) => (this.power?.forgetSize(inner), inner.truncate(size)),
      size: () => inner.size(),
      close: () => inner.close(),
    };
  }

  /** Virtual time in nanoseconds since the scheduler started. */
  now(): number {
    return this.clockUs * 1000;
  }

  stats(): SchedulerStats {
    return { ...this.s, failedByCode: { ...this.s.failedByCode }, virtualTimeUs: this.clockUs };
  }

  /** A virtual-time pause (think time): completes when the clock passes it; `origin` orders ties as submit's does. */
  sleep(us: number, origin: Origin = UNTAGGED): Promise<void> {
    return new Promise((resolve) => {
      this.timers.push({ at: this.clockUs + us, epoch: this.epoch, origin, id: this.nextId++, resolve });
      this.kick();
    });
  }

  /** blkdebug `break EVENT TAG`: hold the next request tagged `event`. */
  breakAt(event: IoEvent, tag: string): void {
    this.breakpoints.push({ event, tag, hit: false, waiters: [] });
  }

  /** blkdebug `wait_break TAG`: resolves once a request is held at the breakpoint. */
  waitBreak(tag: string): Promise<void> {
    const bp = this.breakpoints.find((b) => b.tag === tag);
    if (!bp) return Promise.reject(new Error(`no breakpoint with tag "${tag}"`));
    if (bp.hit) return Promise.resolve();
    return new Promise((resolve) => bp.waiters.push(resolve));
  }

  /**
   * Whether nothing can move without outside help: no step running or queued, no request
   * eligible to complete, no timer. Then the requests held at breakpoints (tag, event), the
   * breakpoints still waiting for their event, and how many requests completed so far.
   */
  stall(): { held: Array<{ tag: string; event: IoEvent | undefined }>; armed: Array<{ tag: string; event: IoEvent }>; completed: number } | null {
    if (this.running || this.stepQueued || this.timers.length || this.pending.some((p) => p.heldBy === null)) return null;
    return {
      held: this.pending.map((p) => ({ tag: p.heldBy!, event: p.event })),
      armed: this.breakpoints.filter((b) => !b.hit).map((b) => ({ tag: b.tag, event: b.event })),
      completed: this.s.completed,
    };
  }

  /** blkdebug `resume TAG`: let the held request complete; the breakpoint is removed. */
  resume(tag: string): void {
    const i = this.breakpoints.findIndex((b) => b.tag === tag);
    if (i < 0) throw new Error(`no breakpoint with tag "${tag}"`);
    this.breakpoints.splice(i, 1);
    for (const p of this.pending) if (p.heldBy === tag) p.heldBy = null;
    this.kick();
  }

  /**
   * Track writes for a power cut (power-cut.ts) from now on; requests issued earlier are not
   * covered. Its at_event trigger counts requests issued from now on.
   */
  armPowerCut(pc: PowerCut): void {
    this.power = pc;
  }

  /**
   * Cut the power now: every pending request and every later one fails with EPOWER, and the
   * writes no completed flush covers are undone (after the request running now, if any).
   * Resolves once they are.
   */
  cutPower(): Promise<void> {
    const pc = this.power;
    if (!pc) return Promise.reject(new Error('cutPower: no power cut armed'));
    if (pc.isCut) return pc.undone;
    pc.markCut(this.s.completed);
    for (const p of this.pending.splice(0)) this.failPowerCut(p);
    if (this.running) this.undoDue = true;
    else void this.runUndo();
    return pc.undone;
  }

  private async runUndo(): Promise<void> {
    this.running = true;
    let error: unknown;
    try {
      await this.power!.undo();
    } catch (err) {
      error = err;
    }
    this.running = false;
    this.power!.undoFinished(error);
    this.kick(); // timers (think time) still fire; their requests fail
  }

  private failPowerCut(p: Pending): void {
    this.s.completed++;
    this.s.failedByCode.EPOWER = (this.s.failedByCode.EPOWER ?? 0) + 1;
    this.onComplete?.(KIND[p.op], p.event, false);
    if (p.onDone) p.onDone(this.power!.error(p.device));
    else p.reject(this.power!.error(p.device));
  }

  /**
   * Queue a request. The queue is in canonical order: by the step it was issued after, then by
   * origin, then by arrival. Every promise chain has settled when a step runs, so which requests
   * were issued between two steps follows from the replay's inputs alone; the order in which
   * they arrived does not (it follows from how many microtask hops each chain took, that is from
   * how the engine is written). Ranking them by who issued them makes the choice of the next
   * completion independent of the engine's await count. One origin is one chain of work, whose
   * own requests arrive in program order.
   */
  private submit(inner: BlockBackend, op: Op, buf: Uint8Array | null, sparse: SparseBuffer | null, offset: number, event: IoEvent | undefined, origin: Origin = UNTAGGED): Promise<void> {
    return new Promise<void>((resolve, reject) => this.enter(this.pendingOf(inner, op, buf, sparse, offset, event, origin, resolve, reject, null)));
  }

  private pendingOf(inner: BlockBackend, op: Op, buf: Uint8Array | null, sparse: SparseBuffer | null, offset: number, event: IoEvent | undefined, origin: Origin = UNTAGGED, resolve: () => void, reject: (err: unknown) => void, then: Done | null): Pending {
    this.nextId++; // timers and requests share the sequence (a timer's id orders ties)
    return { device: inner.name, inner, op, buf, sparse, offset, event, issuedAt: this.clockUs, epoch: this.epoch, origin, resolve, reject, onDone: then, heldBy: null, fail: null, flushMark: 0 };
  }

  /** submit's work once its request is made (readThen's too: no promise). */
  private enter(p: Pending): void {
    const pc = this.power;
    if (pc?.isCut) return this.failPowerCut(p);
    if (pc && p.op === Op.Flush) p.flushMark = pc.flushMark();
    const event = p.event;
    p.fail = this.faults.match(event);
    const bp = event && this.breakpoints.length > 0 ? this.breakpoints.find((b) => b.event === event && !b.hit) : undefined;
    if (bp) {
      bp.hit = true;
      p.heldBy = bp.tag;
      for (const w of bp.waiters.splice(0)) w();
    }
    this.enqueue(p);
    if (this.pending.length > this.s.maxPending) this.s.maxPending = this.pending.length;
    if (pc?.triggers(event)) void this.cutPower();
    else this.kick();
  }

  /** Insert in canonical order: after every request of an earlier step and of a lower origin. */
  private enqueue(p: Pending): void {
    const q = this.pending;
    let i = q.length;
    while (i > 0 && q[i - 1].epoch === p.epoch && q[i - 1].origin > p.origin) i--;
    if (i === q.length) q.push(p);
    else q.splice(i, 0, p);
  }

  /**
   * Take no step until `work` settles: a request source reading its file would otherwise let the
   * interleaving depend on how fast the disk answers (trace replays; replay/sources.ts).
   */
  hold(work: Promise<unknown>): void {
    this.holds++;
    const release = () => {
      this.holds--;
      this.kick();
    };
    work.then(release, release);
  }

  /**
   * Run one step once every promise chain has settled. A process.nextTick queued from inside a
   * microtask runs only after V8 has drained the whole microtask queue (Node's
   * processTicksAndRejections: ticks, then all microtasks, repeat), which is the quiescent state a
   * setImmediate would reach, without an event-loop turn per request. Every so often the step
   * still goes through setImmediate, so timers (progress), signals and I/O callbacks get a turn.
   */
  private kick(): void {
    if (this.stepQueued || this.running || this.holds > 0) return;
    this.stepQueued = true;
    if (this.yieldDue()) {
      this.sinceYield = 0;
      this.yieldQueued = true;
      setImmediate(this.runQueued);
    } else SETTLED.then(this.tickAfterMicrotasks);
  }

  /** Counts a step queued; true when this one must go through setImmediate (every YIELD_STEPS, or YIELD_MS since the last). */
  private yieldDue(): boolean {
    return ++this.sinceYield >= YIELD_STEPS || ((this.sinceYield & 63) === 0 && performance.now() - this.yieldedAt >= YIELD_MS);
  }

  private readonly tickAfterMicrotasks = (): void => {
    process.nextTick(this.runQueued);
  };

  private readonly runQueued = (): void => {
    this.stepQueued = false;
    this.yieldQueued = false;
    if (this.sinceYield === 0) this.yieldedAt = performance.now();
    if (this.holds > 0) return; // hold()'s release kicks again
    this.step();
  };

  /**
   * Take the queued step now, for a caller that knows every promise chain has settled but its
   * own, which does nothing more before it waits on the scheduler (replay/solo-reads.ts): the
   * quiescent state the queued step would wait for, without its microtask and process.nextTick.
   * The queued trigger stays queued for the step after. False (nothing done) when no step is
   * queued, something holds the steps, or an event-loop turn is due: that step keeps its trigger.
   */
  stepNow(): boolean {
    if (!this.stepQueued || this.yieldQueued || this.running || this.holds > 0) return false;
    if (this.yieldDue()) {
      this.sinceYield = YIELD_STEPS - 1; // the queued step's own kick then goes through setImmediate
      return false;
    }
    this.step();
    return true;
  }

  private step(): void {
    this.epoch++;
    this.beforeStep?.();
    // The eligible requests are the first `reorder + 1` pending ones not held; counted, then the
    // chosen one found by its rank among them (no array per step).
    const pending = this.pending;
    const want = this.opts.reorder + 1;
    let eligible = 0;
    for (let i = 0; i < pending.length && eligible < want; i++) if (pending[i].heldBy === null) eligible++;
    const timer = this.earliestTimer();
    if (eligible === 0) {
      if (timer) this.fireTimer(timer);
      return; // everything is held (a test will resume it) or idle
    }
    let rank = eligible === 1 ? 0 : this.rng.below(eligible);
    let at = 0;
    for (; ; at++) if (pending[at].heldBy === null && rank-- === 0) break;
    const p = pending[at];
    const doneAt = Math.max(this.clockUs, p.issuedAt + sampleLatency(this.opts.latency[KIND[p.op]], this.rng));
    if (timer && timer.at <= doneAt) {
      this.fireTimer(timer);
      return;
    }
    removeAt(pending, at);
    this.clockUs = doneAt;
    this.running = true;
    // Nothing else runs until the request is done (the step began with every chain settled), so
    // how many microtask hops the step itself takes changes nothing: no async frame when it can.
    if (p.fail || this.power) {
      void this.runGuarded(p);
      return;
    }
    let done: Promise<void> | null;
    try {
      done = runNow(p) ? null : run(p);
    } catch (err) {
      this.complete(p, err);
      return;
    }
    if (done === null) {
      this.complete(p, null); // an in-memory device's request: done already, no promise to wait on
      return;
    }
    this.runningNow = p;
    done.then(this.ran, this.runFailed);
  }

  /** The request a plain step runs (one at a time), for its reactions, which are made once. */
  private runningNow: Pending | null = null;
  private readonly ran = (): void => this.completeRunning(null);
  private readonly runFailed = (err: unknown): void => this.completeRunning(err);

  private completeRunning(error: unknown): void {
    const p = this.runningNow!;
    this.runningNow = null;
    this.complete(p, error);
  }

  /** Run a request that fails by a fault rule or whose write a power cut tracks, then complete it. */
  private async runGuarded(p: Pending): Promise<void> {
    let error: unknown = null;
    const pc = this.power;
    try {
      if (p.fail) throw new BackendError(p.fail, `${p.device}: injected ${p.fail} at ${p.event}`);
      const undo = pc && p.op === Op.Write ? await pc.capture(p.inner, p.buf!, p.offset) : null;
      // Under a power cut the undo log is what durability means; the file's own fdatasync adds nothing.
      if (pc && p.op === Op.Flush) pc.flushed(p.inner, p.flushMark);
      else await run(p);
      if (undo) pc!.applied(undo);
    } catch (err) {
      error = err;
    }
    this.complete(p, error);
  }

  /** A request ran (`error` null: it succeeded): count it, settle its promise, queue the next step. */
  private complete(p: Pending, error: unknown): void {
    this.running = false;
    this.s.completed++;
    if (error) {
      const code = error instanceof BackendError ? error.code : 'EIO';
      this.s.failedByCode[code] = (this.s.failedByCode[code] ?? 0) + 1;
      this.onComplete?.(KIND[p.op], p.event, false);
      if (p.onDone) p.onDone(error);
      else p.reject(error);
    } else {
      this.onComplete?.(KIND[p.op], p.event, true);
      if (p.onDone) p.onDone(null);
      else p.resolve();
    }
    if (this.undoDue) {
      this.undoDue = false;
      void this.runUndo(); // the request that ran completed before the cut
      return;
    }
    if (this.pending.length > 0 || this.timers.length > 0) this.kick();
  }

  private earliestTimer(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) if (!best || earlier(t, best)) best = t;
    return best;
  }

  private fireTimer(t: Timer): void {
    this.timers.splice(this.timers.indexOf(t), 1);
    this.clockUs = Math.max(this.clockUs, t.at);
    t.resolve();
    this.kick();
  }
}

/** Remove q[at], keeping the order (splice would make an array of the removed one per step). */
function removeAt<T>(q: T[], at: number): void {
  for (let i = at + 1; i < q.length; i++) q[i - 1] = q[i];
  q.pop();
}

/** Timers by time, then as requests queue: the step they were set after, origin, arrival. */
function earlier(a: Timer, b: Timer): boolean {
  if (a.at !== b.at) return a.at < b.at;
  if (a.epoch !== b.epoch) return a.epoch < b.epoch;
  if (a.origin !== b.origin) return a.origin < b.origin;
  return a.id < b.id;
}

/** Run a pending request at once if its inner backend can (readSync ...); false if it cannot. Throws what the request fails with. */
function runNow(p: Pending): boolean {
  const inner = p.inner;
  switch (p.op) {
    case Op.Read:
      if (!inner.readSync) return false;
      inner.readSync(p.buf!, p.offset, p.event);
      return true;
    case Op.ReadSparse:
      if (!inner.readSparseSync) return false;
      inner.readSparseSync(p.sparse!, p.offset, p.event);
      return true;
    case Op.Write:
      if (!inner.writeSync) return false;
      inner.writeSync(p.buf!, p.offset, p.event);
      return true;
    case Op.Flush:
      return false;
  }
}

/** Run a pending request on its inner backend. */
function run(p: Pending): Promise<void> {
  switch (p.op) {
    case Op.Read:
      return p.inner.read(p.buf!, p.offset, p.event);
    case Op.ReadSparse:
      return p.inner.readSparse!(p.sparse!, p.offset, p.event);
    case Op.Write:
      return p.inner.write(p.buf!, p.offset, p.event);
    case Op.Flush:
      return p.inner.flush(p.event);
  }
}
