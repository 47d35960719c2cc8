/**
 * The adaptive path's switch: run requests inline (blocking, as sync) while they finish fast,
 * as a page-cached file's do, and hand up to OFFLOAD_FOR requests to the ring's worker threads
 * (overlapped) once SLOW_RUN inline requests in a row were slow, as a device's are (one alone is
 * more often the thread losing its core on a busy machine). Back inline once FAST_RUN handed-off
 * requests in a row came back fast, or after OFFLOAD_FOR. The main thread thus blocks for at
 * most SLOW_RUN slow requests per OFFLOAD_FOR handed off, or per FAST_RUN that came back fast.
 */

/** An inline request slower than this (ns) did not come from the page cache: a 4-64 KiB pread or pwrite there takes 2-40 µs. */
export const SLOW_NS = 200_000;
/** Slow inline requests in a row that hand the next ones to the workers. */
export const SLOW_RUN = 3;
/** Requests handed to the workers after SLOW_RUN slow inline ones, at most. */
export const OFFLOAD_FOR = 1024;
/**
 * Handed-off requests in a row back within SLOW_NS (submission to completion, the hop and any
 * queueing included) that end the hand-off early: the slowness passed (a filesystem stall, a
 * neighbour's burst), and inline is cheaper again. A device's requests at depth rarely do, and
 * ones that do are fast enough for inline by the gate's own measure. Without it one stall cost
 * 1,024 requests on the ring: allocating writes, one at a time, ran 4-5x slower there
 * (bench:peers, issue 15).
 */
export const FAST_RUN = 16;

export class InlineGate {
  private offloadLeft = 0;
  private slowInARow = 0;
  private fastInARow = 0;
  /** Requests done inline and handed off, for the run's record. */
  inline = 0;
  offloaded = 0;

  /** True: do this request inline; false: hand it to the ring. */
  takeInline(): boolean {
    if (this.offloadLeft > 0) {
      this.offloadLeft--;
      this.offloaded++;
      return false;
    }
    this.inline++;
    return true;
  }

  /** After an inline request: its duration in ns. */
  took(ns: number): void {
    if (ns <= SLOW_NS) this.slowInARow = 0;
    else if (++this.slowInARow >= SLOW_RUN) {
      this.slowInARow = 0;
      this.fastInARow = 0;
      this.offloadLeft = OFFLOAD_FOR;
    }
  }

  /** After a handed-off request: ns from its submission to its completion. */
  offloadTook(ns: number): void {
    if (this.offloadLeft === 0) return; // already back inline
    if (ns > SLOW_NS) this.fastInARow = 0;
    else if (++this.fastInARow >= FAST_RUN) {
      this.fastInARow = 0;
      this.offloadLeft = 0;
    }
  }
}
