/**
 * The ring's claim of a submission (ring-worker.ts takeSubmission) against the interleaving that
 * hung bench:peers: a worker stalled inside its claim while other workers finish requests and
 * the main thread reuses their slots until the submission ring wraps onto the stalled position.
 * Every published submission must be claimed exactly once, whatever runs inside the claim.
 */
import { describe, expect, it } from 'vitest';
import * as Layout from '../../src/io/ring-layout.js';
import { takeSubmission } from '../../src/io/ring-worker.js';

const L = Layout as unknown as Record<string, number>;

/** The main thread's side in miniature: publishes free slots (ring-pool.ts submit's order) and frees done ones. */
class MiniRing {
  readonly ctl = new Int32Array(new SharedArrayBuffer(Layout.CTL_WORDS * 4));
  readonly free: number[] = [];
  readonly published = new Map<number, number>();
  readonly claimed = new Map<number, number>();

  constructor(inFlight: number) {
    for (let s = Layout.SLOTS - 1; s >= 0; s--) this.free.push(s);
    for (let i = 0; i < inFlight; i++) this.publish();
  }

  get head(): number {
    return Atomics.load(this.ctl, Layout.SQ_HEAD);
  }

  get tail(): number {
    return Atomics.load(this.ctl, Layout.SQ_TAIL);
  }

  publish(): void {
    const slot = this.free.pop()!;
    const tail = this.tail;
    Atomics.store(this.ctl, Layout.SQ_BASE + ((tail >>> 0) % Layout.SLOTS), slot);
    Atomics.store(this.ctl, Layout.SQ_TAIL, (tail + 1) | 0);
    this.published.set(slot, (this.published.get(slot) ?? 0) + 1);
  }

  /** One worker claiming the next submission; true when it got one. */
  claim(between?: () => void): boolean {
    const head = this.head;
    if (head === this.tail) return false;
    const slot = takeSubmission(this.ctl, L, head, between);
    if (slot >= 0) this.claimed.set(slot, (this.claimed.get(slot) ?? 0) + 1);
    return slot >= 0;
  }

  /** Other workers finishing requests and the main thread submitting new ones in freed slots, until the ring has wrapped past position `from`. */
  runUntilWrapped(from: number): void {
    while (this.tail - from <= Layout.SLOTS) {
      const head = this.head;
      if (head === this.tail || this.free.length > 0) {
        this.publish();
        continue;
      }
      const slot = takeSubmission(this.ctl, L, head);
      expect(slot).toBeGreaterThanOrEqual(0);
      this.claimed.set(slot, (this.claimed.get(slot) ?? 0) + 1);
      this.free.push(slot);
    }
  }
}

describe('ring submission claims', () => {
  it.each([1, 4, 32, Layout.SLOTS])('a claim stalled while the ring wraps past it takes its own slot, never a later one (%i in flight)', (inFlight) => {
    const ring = new MiniRing(inFlight);
    const stalledAt = ring.head;
    ring.claim(() => ring.runUntilWrapped(stalledAt));
    // Drain what is left: nothing may stay published and unclaimed (the hang: a slot busy forever, none queued).
    while (ring.claim()) {
      /* every remaining submission */
    }
    expect(ring.head).toBe(ring.tail);
    expect(new Map([...ring.claimed].sort(([a], [b]) => a - b))).toEqual(new Map([...ring.published].sort(([a], [b]) => a - b)));
  });
});
