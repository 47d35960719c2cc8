import { Rng } from '../util/random.js';
import { BackendError, type BlockBackend, type IoEvent } from './backend.js';
import { FaultPlan, type FaultRule } from './faults.js';
import { sampleLatency, type LatencyModel } from './latency-model.js';

export type { FaultRule };

export interface SchedulerOptions {
  seed: number;
  /** A completion may overtake at most this many earlier requests still pending (0: issue order). */
  reorder: number;
  latency: { read: LatencyModel; write: LatencyModel; flush: LatencyModel };
}

type OpKind = 'read' | 'write' | 'flush';

interface Pending {
  id: number;
  device: string;
  kind: OpKind;
  event: IoEvent | undefined;
  issuedAt: number;
  run: () => Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
  /** Held by a breakpoint: not eligible to complete until its tag is resumed. */
  heldBy: string | null;
  fail: string | null;
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
 * JavaScript has nothing else to do (a macrotask boundary), one pending request is chosen with
 * a seeded generator among the `reorder + 1` oldest, run against the inner backend, and
 * completed at a virtual time drawn from the latency model. Nothing depends on real timing,
 * so a replay under it is a pure function of its inputs. Breakpoints hold requests by event
 * (blkdebug's break / wait_break / resume); fault rules fail them with an errno.
 */
export class DeterministicScheduler {
  private readonly pending: Pending[] = [];
  private readonly timers: Array<{ at: number; id: number; resolve: () => void }> = [];
  private readonly breakpoints: Breakpoint[] = [];
  private readonly rng: Rng;
  readonly faults: FaultPlan;
  private nextId = 0;
  private clockUs = 0;
  private stepQueued = false;
  private running = false;
  private readonly s: SchedulerStats = { completed: 0, failedByCode: {}, maxPending: 0, virtualTimeUs: 0 };
  /** Called with each request as it completes (the power-cut tracker listens here). */
  onComplete: ((kind: OpKind, event: IoEvent | undefined, ok: boolean) => void) | null = null;

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
      read: (buf, offset, event) => submit(inner.name, 'read', event, () => inner.read(buf, offset, event)),
      write: (buf, offset, event) => submit(inner.name, 'write', event, () => inner.write(buf, offset, event)),
      flush: (event) => submit(inner.name, 'flush', event, () => inner.flush(event)),
      truncate: (size) => inner.truncate(size),
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

  /** A virtual-time pause (think time): completes when the clock passes it. */
  sleep(us: number): Promise<void> {
    return new Promise((resolve) => {
      this.timers.push({ at: this.clockUs + us, id: this.nextId++, resolve });
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

  /** blkdebug `resume TAG`: let the held request complete; the breakpoint is removed. */
  resume(tag: string): void {
    const i = this.breakpoints.findIndex((b) => b.tag === tag);
    if (i < 0) throw new Error(`no breakpoint with tag "${tag}"`);
    this.breakpoints.splice(i, 1);
    for (const p of this.pending) if (p.heldBy === tag) p.heldBy = null;
    this.kick();
  }

  private submit(device: string, kind: OpKind, event: IoEvent | undefined, run: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const p: Pending = { id: this.nextId++, device, kind, event, issuedAt: this.clockUs, run, resolve, reject, heldBy: null, fail: null };
      p.fail = this.faults.match(event);
      const bp = event ? this.breakpoints.find((b) => b.event === event && !b.hit) : undefined;
      if (bp) {
        bp.hit = true;
        p.heldBy = bp.tag;
        for (const w of bp.waiters.splice(0)) w();
      }
      this.pending.push(p);
      if (this.pending.length > this.s.maxPending) this.s.maxPending = this.pending.length;
      this.kick();
    });
  }

  /** Run one step once the current macrotask's promise chains have settled. */
  private kick(): void {
    if (this.stepQueued || this.running) return;
    this.stepQueued = true;
    setImmediate(() => {
      this.stepQueued = false;
      void this.step();
    });
  }

  private async step(): Promise<void> {
    const eligible: Pending[] = [];
    for (const p of this.pending) {
      if (p.heldBy === null) eligible.push(p);
      if (eligible.length > this.opts.reorder) break;
    }
    const timer = this.earliestTimer();
    if (eligible.length === 0) {
      if (timer) this.fireTimer(timer);
      return; // everything is held (a test will resume it) or idle
    }
    const p = eligible[eligible.length === 1 ? 0 : this.rng.below(eligible.length)];
    const doneAt = Math.max(this.clockUs, p.issuedAt + sampleLatency(this.opts.latency[p.kind], this.rng));
    if (timer && timer.at <= doneAt) {
      this.fireTimer(timer);
      return;
    }
    this.pending.splice(this.pending.indexOf(p), 1);
    this.clockUs = doneAt;
    this.running = true;
    let error: unknown = null;
    try {
      if (p.fail) throw new BackendError(p.fail, `${p.device}: injected ${p.fail} at ${p.event}`);
      await p.run();
    } catch (err) {
      error = err;
    }
    this.running = false;
    this.s.completed++;
    if (error) {
      const code = error instanceof BackendError ? error.code : 'EIO';
      this.s.failedByCode[code] = (this.s.failedByCode[code] ?? 0) + 1;
      this.onComplete?.(p.kind, p.event, false);
      p.reject(error);
    } else {
      this.onComplete?.(p.kind, p.event, true);
      p.resolve();
    }
    if (this.pending.length > 0 || this.timers.length > 0) this.kick();
  }

  private earliestTimer(): { at: number; id: number; resolve: () => void } | undefined {
    let best: { at: number; id: number; resolve: () => void } | undefined;
    for (const t of this.timers) if (!best || t.at < best.at || (t.at === best.at && t.id < best.id)) best = t;
    return best;
  }

  private fireTimer(t: { at: number; id: number; resolve: () => void }): void {
    this.timers.splice(this.timers.indexOf(t), 1);
    this.clockUs = Math.max(this.clockUs, t.at);
    t.resolve();
    this.kick();
  }
}
