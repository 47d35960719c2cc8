/** Whether a read worker may go on after a read done at once without a microtask turn: when no other worker can run before the next step. */
import type { PhaseSpec } from '../workload/types.js';

/** A SoloReads for a phase that qualifies (see below), under the deterministic scheduler and with no power cut; else null. */
export function soloReadsFor(phase: PhaseSpec, scheduler: StepNow | null, powerCut: boolean): SoloReads | null {
  const plainReads = phase.jobs.every((j) => j.op.kind === 'read' && !j.trace && j.thinkTimeUs === 0 && j.flushEvery === 0);
  return scheduler && !powerCut && !phase.scenario && plainReads ? new SoloReads(scheduler) : null;
}

/** The deterministic scheduler's side: take its queued step now (DeterministicScheduler.stepNow). */
export interface StepNow {
  stepNow(): boolean;
}

/**
 * A phase under the deterministic scheduler whose jobs only read from generated streams (no
 * think time, flushes, traces or power cut): a worker waits only on its own request, which
 * completes only in a scheduler step, and no request's completion wakes another worker. Each
 * step begins with every promise chain settled and wakes one chain. So when every other live
 * worker was already waiting as the last step began, and has not resumed since, the running
 * worker is the only one that can take a request before the next step, and the turn it takes
 * after a read done at once (`await` of a settled promise) lets nothing else run: skipping it
 * changes no request's worker, order or time. A worker that began waiting after the step began
 * may be woken without a step (a read that failed at once), so it does not count until the
 * next step; nor does any before the phase's first step.
 */
export class SoloReads {
  /** Workers started and not yet returned. */
  private live = 0;
  /** Workers waiting on a request. */
  private waiting = 0;
  /** Of those, the ones already waiting when the last step began. */
  private blocked = 0;
  private steps = 0;
  /** A step() is running its loop; a step asked for meanwhile is `again`. */
  private stepping = false;
  private again = false;

  constructor(private readonly scheduler: StepNow) {}

  /** The scheduler begins a step (every chain settled). */
  onStep(): void {
    this.steps++;
    this.blocked = this.waiting;
  }

  started(): void {
    this.live++;
  }

  ended(): void {
    this.live--;
  }

  /** A worker begins waiting on a request: the token goes to resumed(). */
  enter(): number {
    this.waiting++;
    return this.steps;
  }

  /**
   * Take the next step now (the caller was the last that could run and now waits), and each one
   * a worker resumed inside a step asks for: a loop, not recursion, as a step's callback resumes
   * a worker that runs on to its next wait (solo-loop.ts). Stops where the scheduler declines
   * (an event-loop turn is due: its queued step follows).
   */
  step(): void {
    if (this.stepping) {
      this.again = true;
      return;
    }
    this.stepping = true;
    try {
      do this.again = false;
      while (this.scheduler.stepNow() && this.again);
    } finally {
      this.stepping = false;
    }
  }

  resumed(since: number): void {
    this.waiting--;
    if (since < this.steps) this.blocked--;
  }

  /**
   * Whether the calling (running) worker is the only one that can run before the next step. Never
   * before the phase's first step: the workers are still starting, each running until its first wait.
   */
  alone(): boolean {
    return this.steps > 0 && this.blocked === this.live - 1;
  }
}

/**
 * One worker's side of SoloReads. A worker that awaited a pending read runs without a pause from
 * its resumption to its next read or its end (generated requests, no think time), so it is
 * counted as resumed there, not in a finally around the await (an async frame per miss).
 */
export class SoloWorker {
  /** The token of the wait this worker has not been counted out of yet; -1: none. */
  private since = -1;

  constructor(private readonly reads: SoloReads) {
    reads.started();
  }

  /** A read done at once: whether the worker may go on without a turn (it is alone). */
  atOnce(): boolean {
    this.resume();
    return this.reads.alone();
  }

  /**
   * A read not done at once: the worker waits. `blocked`: on a scheduler request, nothing of its
   * chain left to run; then the next step runs now if it was the last that could run. A read's
   * promise (several runs, or a failure found at once) may still have reactions of its own to
   * run first: its worker leaves the step to the scheduler's queued one, which waits for them.
   */
  waits(blocked: boolean): void {
    this.resume();
    const last = blocked && this.reads.alone();
    this.since = this.reads.enter(); // before the step, which may resume this worker
    if (last) this.reads.step();
  }

  end(): void {
    this.resume();
    this.reads.ended();
  }

  private resume(): void {
    if (this.since < 0) return;
    this.reads.resumed(this.since);
    this.since = -1;
  }
}
