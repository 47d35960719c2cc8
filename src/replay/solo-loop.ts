/** A worker of a solo-reads phase that goes on by callback: resumed inside the scheduler step that completes its read. */
import type { Origin } from '../io/backend.js';
import { DONE, type QedImage } from '../qed/image.js';
import type { IoRequest, RequestSource } from '../workload/types.js';
import type { ReplayClock } from './clock.js';
import type { SoloWorker } from './solo-reads.js';

/** What a SoloLoop reads from and reports to (job.ts's worker). */
export interface SoloLoopParts {
  /** A generated stream: next() answers at once (soloReadsFor admits no trace). */
  source: RequestSource;
  img: QedImage;
  /** A metadata-only replay's read buffers stay zero (QedImage.read's `zeroed`). */
  zeroed: boolean;
  origin: Origin;
  clock: ReplayClock;
  stopped: () => boolean;
  /** Virtual ns at which the job stops taking requests; Infinity when it has no duration. */
  deadline: number;
  /** The worker's read buffer for `length` bytes. */
  buffer: (length: number) => Uint8Array;
  /** A request issued: counted in flight. */
  issued: () => void;
  /** Record a finished request (`err` null: it succeeded; else what it failed with, thrown on if not an I/O or format error); the clock then. */
  finish: (req: IoRequest, t0: number, err: unknown) => number;
}

/**
 * job.ts's read loop for a worker of a solo-reads phase (solo-reads.ts), the same requests in the
 * same order, but a read that waits on the scheduler resumes the worker by a callback from the
 * step that completes it (QedImage.readThen), not by an await: no promise, reaction or async
 * frame per table miss. It is the same order because in such a phase only one worker runs
 * between two steps once the first has run (the step resumes one, which runs until it waits),
 * and before that a worker waiting on a read waits for a step either way. Where read's own
 * promise comes back (a failure, a read of several runs) or a read done at once leaves the
 * worker not alone, it takes the same one turn an await takes (a reaction).
 */
export class SoloLoop {
  /** The clock at this worker's last completion, or -1 when it may have moved since (job.ts). */
  private t = -1;
  private req: IoRequest | null = null;
  private t0 = 0;
  private readonly resumed = (err: unknown): void => {
    try {
      this.t = this.parts.finish(this.req!, this.t0, err);
    } catch (e) {
      return this.fail(e);
    }
    this.run();
  };
  private readonly ok = (): void => this.resumed(null);

  constructor(
    private readonly parts: SoloLoopParts,
    private readonly solo: SoloWorker,
    private readonly settle: (err?: unknown) => void,
  ) {}

  /** Take requests until the worker waits (a callback or reaction goes on from there) or its stream ends. */
  run(): void {
    try {
      this.loop();
    } catch (e) {
      this.fail(e);
    }
  }

  private loop(): void {
    const p = this.parts;
    const solo = this.solo;
    while (!p.stopped() && (p.deadline === Infinity || (this.t < 0 ? p.clock.now() : this.t) < p.deadline)) {
      const req = p.source.next() as IoRequest | null;
      if (!req) break;
      p.issued();
      const t0 = this.t < 0 ? p.clock.now() : this.t;
      this.req = req;
      this.t0 = t0;
      let read: Promise<void> | boolean;
      try {
        read = p.img.readThen(p.buffer(req.length), req.offset, p.origin, p.zeroed, this.resumed);
      } catch (err) {
        this.t = p.finish(req, t0, err);
        continue;
      }
      if (read === true) {
        if (solo.atOnce()) {
          this.t = p.finish(req, t0, null);
          continue;
        }
        void DONE.then(this.ok);
      } else {
        solo.waits(read === false); // may run steps, and this worker's own callback among them: nothing after it
        if (read !== false) read.then(this.ok, this.resumed);
      }
      return;
    }
    this.solo.end();
    this.settle();
  }

  private fail(err: unknown): void {
    this.solo.end();
    this.settle(err ?? new Error('replay worker failed'));
  }
}
