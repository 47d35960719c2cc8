import { describe, expect, it } from 'vitest';
import { BackendError, type IoEvent } from '../../src/io/backend.js';
import { MemoryBackend, MemoryStore } from '../../src/io/memory-backend.js';
import { PowerCut } from '../../src/io/power-cut.js';
import { DeterministicScheduler } from '../../src/io/scheduler.js';

/** The scheduler's durability model on a memory device: what a cut keeps and what it takes back. */
function setup(opts: { tear?: boolean; seed?: number; atEvent?: { event: IoEvent; nth: number } } = {}) {
  const sched = new DeterministicScheduler({
    seed: 5,
    reorder: 0,
    latency: { read: { kind: 'constant', us: 10 }, write: { kind: 'constant', us: 20 }, flush: { kind: 'constant', us: 50 } },
  });
  const store = new MemoryStore();
  const dev = sched.attach(new MemoryBackend(store));
  const pc = new PowerCut({ seed: opts.seed ?? 1, tear: opts.tear ?? false, atEvent: opts.atEvent });
  sched.armPowerCut(pc);
  const bytesAt = (offset: number, n: number): Uint8Array => {
    const b = new Uint8Array(n);
    store.copyOut(b, offset);
    return b;
  };
  return { sched, store, dev, pc, bytesAt };
}

const filled = (n: number, v: number): Uint8Array => new Uint8Array(n).fill(v);
const powerError = (e: unknown): boolean => e instanceof BackendError && e.code === 'EPOWER';

describe('power cut: the undo log of non-durable writes', () => {
  it('keeps a write a completed flush covers, and undoes a later one with the file growth it caused', async () => {
    const { sched, store, dev, pc, bytesAt } = setup();
    await dev.write(filled(4096, 0xaa), 0, 'write_aio');
    await dev.flush('flush_to_disk');
    await dev.write(filled(4096, 0xbb), 0, 'write_aio'); // overwrite: back to 0xaa
    await dev.write(filled(4096, 0xcc), 4096, 'write_aio'); // growth: truncated away
    expect(store.length).toBe(8192);
    await sched.cutPower();
    expect(bytesAt(0, 4096)).toEqual(filled(4096, 0xaa));
    expect(store.length).toBe(4096);
    expect(pc.stats).toMatchObject({ writesUndone: 2, sectorsTorn: 0 });
    await expect(dev.read(new Uint8Array(512), 0, 'read_aio')).rejects.toSatisfy(powerError);
  });

  it('does not count a write that completed while the flush was in flight as covered by it', async () => {
    const { sched, dev, bytesAt } = setup();
    await dev.write(filled(512, 1), 0, 'write_aio');
    sched.breakAt('flush_to_disk', 'f');
    const flush = dev.flush('flush_to_disk');
    await sched.waitBreak('f');
    await dev.write(filled(512, 2), 512, 'write_aio'); // completes before the flush does
    sched.resume('f');
    await flush;
    await sched.cutPower();
    expect(bytesAt(0, 512)).toEqual(filled(512, 1)); // issued-before: durable
    expect(bytesAt(512, 512)).toEqual(filled(512, 0)); // not covered: gone
  });

  it('fails every pending and later request with EPOWER', async () => {
    const { sched, dev, store } = setup();
    const pending = [dev.write(filled(512, 1), 0, 'write_aio'), dev.write(filled(512, 2), 512, 'write_aio'), dev.flush('flush_to_disk')];
    const settled = Promise.allSettled(pending);
    await sched.cutPower();
    const results = await settled;
    expect(results.every((r) => r.status === 'rejected' && powerError(r.reason))).toBe(true);
    await expect(dev.write(filled(512, 3), 0, 'write_aio')).rejects.toSatisfy(powerError);
    expect(store.length).toBe(0);
    expect(sched.stats().failedByCode.EPOWER).toBe(4);
  });

  it('at_event: the nth request with the event is the first to fail', async () => {
    const { dev, pc, bytesAt } = setup({ atEvent: { event: 'write_aio', nth: 2 } });
    await dev.write(filled(512, 1), 0, 'cow_write');
    await dev.write(filled(512, 2), 512, 'write_aio');
    await expect(dev.write(filled(512, 3), 1024, 'write_aio')).rejects.toSatisfy(powerError);
    await pc.undone;
    expect(pc.stats).toMatchObject({ event: 'write_aio', writesUndone: 2 });
    expect(bytesAt(0, 1536)).toEqual(new Uint8Array(1536));
  });

  it('tear: an undone multi-sector write keeps a seeded subset of its sectors, the rest are old', async () => {
    const outcome = async (seed: number): Promise<{ kept: boolean[]; torn: number }> => {
      const { sched, dev, pc, bytesAt } = setup({ tear: true, seed });
      await dev.write(filled(8 * 512, 0x11), 0, 'write_aio');
      await dev.flush('flush_to_disk');
      await dev.write(filled(8 * 512, 0x22), 0, 'write_aio');
      await dev.write(filled(512, 0x33), 8 * 512, 'write_aio'); // one sector: never torn
      await sched.cutPower();
      const kept: boolean[] = [];
      for (let s = 0; s < 8; s++) {
        const b = bytesAt(s * 512, 512);
        expect(b.every((x) => x === b[0]) && (b[0] === 0x11 || b[0] === 0x22)).toBe(true); // whole sectors only
        kept.push(b[0] === 0x22);
      }
      expect(bytesAt(8 * 512, 512)).toEqual(filled(512, 0));
      return { kept, torn: pc.stats!.sectorsTorn };
    };
    const a = await outcome(3);
    expect(a.kept.filter(Boolean).length).toBe(a.torn);
    expect(a.torn).toBeGreaterThan(0);
    expect(a.torn).toBeLessThan(8); // mixed: some new, some old
    expect(await outcome(3)).toEqual(a); // seeded
    const others = await Promise.all([4, 5, 6, 7].map(outcome));
    expect(others.some((o) => o.kept.join() !== a.kept.join())).toBe(true);
  });

  it('tear: sectors kept past the old end of file survive the truncation of that growth', async () => {
    const { sched, store, dev, bytesAt } = setup({ tear: true, seed: 9 });
    await dev.write(filled(16 * 512, 0x44), 0, 'write_aio');
    await sched.cutPower();
    let lastKept = -1;
    for (let s = 0; s < 16; s++) {
      const b = bytesAt(s * 512, 512);
      if (b[0] === 0x44) lastKept = s;
      else expect(b).toEqual(new Uint8Array(512));
    }
    expect(lastKept).toBeGreaterThanOrEqual(0);
    expect(store.length).toBe((lastKept + 1) * 512);
  });
});
