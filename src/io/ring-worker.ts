/**
 * The body of one ring I/O worker thread: takes slot numbers off the shared submission ring,
 * does the blocking positional read or write into the slot's shared data area, marks the slot
 * done and bumps the completion count, waking the main thread only when it waits. Sleeps on the
 * ring's tail when there is nothing to do.
 *
 * It runs from its source text (`new Worker(source, { eval: true })`), so it must not refer to
 * anything outside itself: the layout constants arrive in workerData, the modules as arguments.
 */
import type fsModule from 'node:fs';
import type workerThreads from 'node:worker_threads';

export interface RingWorkerData {
  ctl: SharedArrayBuffer;
  meta: SharedArrayBuffer;
  data: SharedArrayBuffer;
  err: SharedArrayBuffer;
  layout: Record<string, number>;
}

export function ringWorkerMain(fs: typeof fsModule, wt: typeof workerThreads, take: typeof takeSubmission): void {
  const d = wt.workerData as RingWorkerData;
  const L = d.layout;
  const ctl = new Int32Array(d.ctl);
  const metaI = new Int32Array(d.meta);
  const metaF = new Float64Array(d.meta);
  const errBytes = new Uint8Array(d.err);
  const enc = new TextEncoder();
  for (;;) {
    if (Atomics.load(ctl, L.STOP) === 1) return;
    const head = Atomics.load(ctl, L.SQ_HEAD);
    const tail = Atomics.load(ctl, L.SQ_TAIL);
    if (head === tail) {
      Atomics.add(ctl, L.SLEEPERS, 1);
      // Re-checked after announcing the sleep, so a submission published in between is not missed.
      if (Atomics.load(ctl, L.SQ_TAIL) === tail && Atomics.load(ctl, L.STOP) === 0) Atomics.wait(ctl, L.SQ_TAIL, tail);
      Atomics.sub(ctl, L.SLEEPERS, 1);
      continue;
    }
    const slot = take(ctl, L, head);
    if (slot < 0) continue;
    const mi = slot * L.META_I32_PER_SLOT;
    const op = metaI[mi + L.M_OP];
    const fd = metaI[mi + L.M_FD];
    const length = metaI[mi + L.M_LENGTH];
    const offset = metaF[slot * L.META_F64_PER_SLOT + L.M_OFFSET];
    const buf = new Uint8Array(d.data, ctl[L.DATA_BASE] + slot * L.SLOT_BYTES, length);
    let result: number;
    try {
      let done = 0;
      if (op === L.OP_READ) {
        // One read: a file reads short only at its end, and the main thread fills the rest with
        // zeros. Reading on from there would, with O_DIRECT, start at the end's unaligned offset,
        // which the kernel refuses with EINVAL once a concurrent write has grown the file past it.
        done = fs.readSync(fd, buf, 0, length, offset);
      }
      while (op === L.OP_WRITE && done < length) {
        const n = fs.writeSync(fd, buf, done, length - done, offset + done);
        if (n === 0) throw Object.assign(new Error('the system wrote no bytes'), { code: 'EIO' });
        done += n;
      }
      result = done;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const text = enc.encode(`${typeof err.code === 'string' ? err.code : 'EIO'}\n${err.message}`).subarray(0, L.ERR_BYTES);
      errBytes.set(text, slot * L.ERR_BYTES);
      metaI[mi + L.M_ERRLEN] = text.length;
      result = -1;
    }
    metaI[mi + L.M_RESULT] = result;
    Atomics.store(metaI, mi + L.M_STATE, L.STATE_DONE);
    Atomics.add(ctl, L.DONE_SEQ, 1);
    if (Atomics.load(ctl, L.MAIN_WAITING) === 1) Atomics.notify(ctl, L.DONE_SEQ);
  }
}

/**
 * Claims the submission at `head` (seen below the tail): its slot number, or -1 when another
 * worker claimed it first. The slot number is read BEFORE the claim: once `head` has moved past
 * a ring entry, the main thread may overwrite it (a worker stalled there while other workers
 * finished requests and the main thread reused their slots SLOTS submissions on) and the claimer
 * would take a later submission's slot, leaving its own busy forever with nothing queued: the
 * bench:peers hang (test/io/ring-claim.test.ts). Read while `head` is unclaimed, the entry is
 * still the right one: its slot and the SLOTS - 1 entries after it are busy until claimed, so
 * the main thread has no free slot to publish over it, and a successful compare-and-swap proves
 * `head` had not moved. `between` runs between the read and the claim (tests force interleavings).
 */
export function takeSubmission(ctl: Int32Array, L: Record<string, number>, head: number, between?: () => void): number {
  const slot = Atomics.load(ctl, L.SQ_BASE + ((head >>> 0) % L.SLOTS));
  between?.();
  return Atomics.compareExchange(ctl, L.SQ_HEAD, head, (head + 1) | 0) === head ? slot : -1;
}
