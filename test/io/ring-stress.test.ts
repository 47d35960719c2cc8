/**
 * Hammers the ring's wake-up protocol (ring-pool.ts, ring-worker.ts) where a lost wake-up would
 * show: many short bursts at odd depths (1 to 37, so workers sleep and wake all the time), pieces
 * larger than a slot, more requests than slots (the backlog), and close while requests are in
 * flight, on page-cached files and with O_DIRECT. Every burst must finish with the right bytes,
 * and no bounded wait may have been rescued from a lost wake-up (RingPool.lostWakeups).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBackend, type FileOpenFlags } from '../../src/io/file-backend.js';
import type { RingPool } from '../../src/io/ring-pool.js';
import { expectBytes, pattern, TempDir } from './helpers.js';

const tmp = new TempDir();
beforeAll(() => tmp.setup());
afterAll(() => tmp.teardown());

const BLOCK = 4096;

function poolOf(b: FileBackend): RingPool {
  return (b as unknown as { ring: { pool: RingPool } }).ring.pool;
}

/** Opens on the ring, or null (with a message) where the filesystem refuses O_DIRECT. */
async function openOrSkip(path: string, flags: FileOpenFlags): Promise<FileBackend | null> {
  try {
    return await FileBackend.open(path, { ...flags, io: 'ring' });
  } catch (err) {
    if (flags.cache === 'none' && (err as { code?: string }).code === 'EINVAL') {
      console.log(`ring-stress: skipping cache: none: ${(err as Error).message}`);
      return null;
    }
    throw err;
  }
}

describe.each([
  { name: 'page cache', flags: {} as FileOpenFlags },
  { name: 'O_DIRECT', flags: { cache: 'none' } as FileOpenFlags },
])('ring wake-ups under stress ($name)', ({ flags }) => {
  it('bursts at odd depths, larger-than-slot pieces and a full backlog all complete with their bytes, and no wake-up is lost', async () => {
    const path = tmp.file('stress');
    const b = await openOrSkip(path, { ...flags, create: true });
    if (!b) return;
    const pool = poolOf(b);
    const lostBefore = pool.lostWakeups;
    try {
      const blocks = 300; // > 128 slots: the widest bursts wait in the backlog
      await b.write(new Uint8Array(blocks * BLOCK), 0);
      for (let round = 0; round < 60; round++) {
        const depth = 1 + ((round * 7) % 37);
        const tag = round + 1;
        const writes = Array.from({ length: depth }, (_, i) => (i * 13 + round) % blocks);
        await Promise.all(writes.map((blk) => b.write(pattern(blk * BLOCK, BLOCK, tag), blk * BLOCK)));
        // A write split into three slots (the pattern is by position, so the blocks above keep their bytes).
        if (round % 10 === 9) await b.write(pattern(0, 300 * 1024, tag), 0);
        const reads = Array.from({ length: depth }, () => new Uint8Array(BLOCK));
        const distinct = [...new Set(writes)];
        await Promise.all(distinct.map((blk, i) => b.read(reads[i], blk * BLOCK)));
        distinct.forEach((blk, i) => expectBytes(reads[i], pattern(blk * BLOCK, BLOCK, tag), `round ${round}, block ${blk}`));
      }
      // A burst wider than the slots, all at once.
      const wide = Array.from({ length: blocks }, (_, blk) => b.write(pattern(blk * BLOCK, BLOCK, 999), blk * BLOCK));
      await Promise.all(wide);
      const back = new Uint8Array(blocks * BLOCK);
      await b.read(back, 0);
      expectBytes(back, concatPatterns(blocks, 999), 'after the wide burst');
    } finally {
      await b.close();
    }
    expect(pool.lostWakeups - lostBefore).toBe(0);
  }, 60_000);

  it('close while requests are in flight waits for them, then fails later ones cleanly, over many short-lived files', async () => {
    for (let round = 0; round < 25; round++) {
      const path = tmp.file('close');
      const b = await openOrSkip(path, { ...flags, create: true });
      if (!b) return;
      const depth = 1 + ((round * 5) % 33);
      const inflight = Array.from({ length: depth }, (_, i) => b.write(pattern(i * BLOCK, BLOCK, round), i * BLOCK));
      const closed = b.close();
      const results = await Promise.allSettled(inflight);
      await closed;
      expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
      await expect(b.read(new Uint8Array(BLOCK), 0)).rejects.toMatchObject({ code: 'EBADF' });
      const again = await openOrSkip(path, { ...flags, readOnly: true });
      try {
        const back = new Uint8Array(depth * BLOCK);
        await again!.read(back, 0);
        for (let i = 0; i < depth; i++) expectBytes(back.subarray(i * BLOCK, (i + 1) * BLOCK), pattern(i * BLOCK, BLOCK, round), `round ${round}, block ${i}`);
      } finally {
        await again!.close();
      }
    }
  }, 60_000);
});

function concatPatterns(blocks: number, tag: number): Uint8Array {
  const out = new Uint8Array(blocks * BLOCK);
  for (let blk = 0; blk < blocks; blk++) out.set(pattern(blk * BLOCK, BLOCK, tag), blk * BLOCK);
  return out;
}
