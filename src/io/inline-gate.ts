/**
 * The adaptive path's switch: run requests inline (blocking, as sync) while they finish fast,
 * as a page-cached file's do, and hand the next OFFLOAD_FOR requests to the ring's worker
 * threads (overlapped) whenever one inline request was slow, as a device's are. Then try inline
 * again. The main thread thus blocks for at most one slow request per OFFLOAD_FOR.
 */

/** An inline request slower than this (ns) did not come from the page cache: a 4-64 KiB pread or pwrite there takes 2-40 µs. */
export const SLOW_NS = 200_000;
/** Requests handed to the workers after a slow inline one. */
export const OFFLOAD_FOR = 1024;

export class InlineGate {
  private offloadLeft = 0;
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
    if (ns > SLOW_NS) this.offloadLeft = OFFLOAD_FOR;
  }
}
