/**
 * When the deterministic scheduler steps: only once every promise chain has settled (it steps from a
 * process.nextTick queued by a microtask, not once per event-loop turn), and still giving timers a
 * turn during a long run of steps; hold() keeps it from stepping until outside work settles.
 */
import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../src/io/memory-backend.js';
import { DeterministicScheduler } from '../../src/io/scheduler.js';

function scheduler(reorder = 0): DeterministicScheduler {
  const c = { kind: 'constant', us: 10 } as const;
  return new DeterministicScheduler({ seed: 1, reorder, latency: { read: c, write: c, flush: c } });
}

/** A promise chain `depth` microtasks long that calls `f` at its end. */
async function afterMicrotasks(depth: number, f: () => void): Promise<void> {
  for (let i = 0; i < depth; i++) await null;
  f();
}

describe('DeterministicScheduler stepping', () => {
  it('takes no step until the whole microtask queue has drained, however deep the chains', async () => {
    const s = scheduler(1000);
    const dev = s.attach(new MemoryBackend());
    const log: string[] = [];
    s.onComplete = () => log.push('step');
    const done: Array<Promise<void>> = [];
    // Requests submitted at the ends of chains of very different depths, all in one macrotask.
    const chains = [0, 1, 10, 500, 3000].map((depth) =>
      afterMicrotasks(depth, () => {
        log.push(`submit ${depth}`);
        done.push(dev.write(new Uint8Array(512).fill(1), depth * 512));
      }),
    );
    await Promise.all(chains);
    await Promise.all(done);
    // Every submit (the last 3000 microtasks deep) came before the first completion.
    expect(log.slice(0, 5)).toEqual(['submit 0', 'submit 1', 'submit 10', 'submit 500', 'submit 3000']);
    expect(log.slice(5)).toEqual(['step', 'step', 'step', 'step', 'step']);
  });

  it('steps without an event-loop turn per request, yet lets timers and immediates run during a long run', async () => {
    const s = scheduler();
    const dev = s.attach(new MemoryBackend());
    let immediates = 0;
    let steps = 0;
    s.onComplete = () => steps++;
    const countImmediates = (): void => {
      immediates++;
      if (!stop) setImmediate(countImmediates);
    };
    let stop = false;
    setImmediate(countImmediates);
    const buf = new Uint8Array(512);
    // One request at a time: each completion submits the next (as a replay worker does).
    for (let i = 0; i < 20_000; i++) await dev.read(buf, 0);
    stop = true;
    expect(steps).toBe(20_000);
    // Far fewer event-loop turns than steps (a setImmediate per step would give ~20 000)...
    expect(immediates).toBeLessThan(2_000);
    // ...but the loop still turned (progress timers, Ctrl-C, worker messages need it).
    expect(immediates).toBeGreaterThan(1);
  });

  it('hold(): no step until the outside work settles, even across event-loop turns', async () => {
    const s = scheduler();
    const dev = s.attach(new MemoryBackend());
    let release!: () => void;
    s.hold(new Promise<void>((r) => (release = r)));
    let completed = false;
    const p = dev.read(new Uint8Array(512), 0).then(() => (completed = true));
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(completed).toBe(false);
    release();
    await p;
    expect(completed).toBe(true);
  });

  it('stepNow(): takes the queued step at once, but still lets timers and immediates run, and never without a queued step', async () => {
    const s = scheduler();
    const dev = s.attach(new MemoryBackend());
    expect(s.stepNow()).toBe(false); // nothing queued
    let immediates = 0;
    let stop = false;
    const countImmediates = (): void => {
      immediates++;
      if (!stop) setImmediate(countImmediates);
    };
    setImmediate(countImmediates);
    const buf = new Uint8Array(512);
    let now = 0;
    // As a lone replay worker does: submit, take the step itself, then wait.
    for (let i = 0; i < 20_000; i++) {
      const read = dev.read(buf, 0);
      if (s.stepNow()) now++;
      await read;
    }
    stop = true;
    expect(now).toBeGreaterThan(15_000);
    expect(s.stats().completed).toBe(20_000);
    expect(immediates).toBeGreaterThanOrEqual(4); // an event-loop turn at least every 4096 steps
  });
});
