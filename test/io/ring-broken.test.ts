/**
 * A ring pool that cannot finish its requests fails them instead of hanging: a worker thread that
 * dies (an exception outside its errno handling), and requests that no worker holds (every worker
 * asleep, nothing queued: the state of the bench:peers hang, forced here). Either way the requests
 * in flight and later ones reject with a BackendError naming the file, the pool is broken, and the
 * next open gets a new pool that works.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBackend } from '../../src/io/file-backend.js';
import * as L from '../../src/io/ring-layout.js';
import type { RingPool } from '../../src/io/ring-pool.js';
import { expectBytes, pattern, rejectsWith, TempDir } from './helpers.js';

const tmp = new TempDir();
beforeAll(() => tmp.setup());
afterAll(() => tmp.teardown());

interface PoolInside {
  ctl: Int32Array;
  submit(op: number, fd: number, offset: number, length: number, src: Uint8Array | null, dst: Uint8Array | null): Promise<{ bytes: number; error?: { code: string; message: string } }>;
}

function poolOf(b: FileBackend): RingPool {
  return (b as unknown as { ring: { pool: RingPool } }).ring.pool;
}

function inside(pool: RingPool): PoolInside {
  return pool as unknown as PoolInside;
}

async function allAsleep(pool: RingPool): Promise<void> {
  for (let i = 0; i < 500 && Atomics.load(inside(pool).ctl, L.SLEEPERS) < pool.threads; i++) await new Promise((r) => setTimeout(r, 10));
  expect(Atomics.load(inside(pool).ctl, L.SLEEPERS)).toBe(pool.threads);
}

/** A new ring file holding known bytes, and its pool; with `stuckBounds`, once every worker sleeps. */
async function openRing(prefix: string, stuckBounds?: number): Promise<{ path: string; b: FileBackend; pool: RingPool }> {
  const path = tmp.file(prefix);
  writeFileSync(path, pattern(0, 8192, 3));
  const b = await FileBackend.open(path, { io: 'ring' });
  const pool = poolOf(b);
  if (stuckBounds !== undefined) {
    pool.stuckBounds = stuckBounds;
    await allAsleep(pool);
  }
  return { path, b, pool };
}

/** Publishes a read of `b`'s (synchronously: the kick comes a turn later), then takes it off the ring by no worker. */
function readTakenByNone(b: FileBackend, pool: RingPool): Promise<void> {
  const p = b.read(new Uint8Array(4096), 4096);
  Atomics.add(inside(pool).ctl, L.SQ_HEAD, 1);
  return p;
}

/** A new open of `path` gets a working pool other than `old`. */
async function reopenWorks(path: string, old: RingPool): Promise<void> {
  const b = await FileBackend.open(path, { io: 'ring' });
  try {
    expect(poolOf(b)).not.toBe(old);
    expect(poolOf(b).isBroken()).toBe(false);
    const got = new Uint8Array(4096);
    await b.read(got, 0);
    expectBytes(got, pattern(0, 4096, 3), 'reopened');
  } finally {
    await b.close();
  }
}

describe('a ring pool that cannot finish its requests', () => {
  it('a worker thread that dies fails its request and every later one with the file named, and the next open gets a new pool', async () => {
    const { path, b, pool } = await openRing('dies');
    const fd = (b as unknown as { fd: number }).fd;
    // A length no slot view can take: the worker throws a RangeError outside its errno handling.
    const r = await inside(pool).submit(L.OP_READ, fd, 0, 1 << 30, null, null);
    expect(r.bytes).toBe(-1);
    expect(r.error?.message).toContain('the ring I/O pool failed: an I/O worker thread threw RangeError');
    expect(pool.isBroken()).toBe(true);
    await rejectsWith(b.read(new Uint8Array(4096), 0), 'EIO', path, 'read 4096 bytes at 0', 'the ring I/O pool failed: an I/O worker thread threw RangeError');
    await b.close();
    await reopenWorks(path, pool);
  });

  it('requests no worker holds (all asleep, none queued) fail with "stopped responding" after the bound, not hang', async () => {
    const { path, b, pool } = await openRing('stuck', 2);
    // The slot is busy, nothing is queued, every worker sleeps on.
    const lost = readTakenByNone(b, pool);
    await rejectsWith(lost, 'EIO', path, 'read 4096 bytes at 4096', 'stopped responding', '1 request(s) in flight');
    expect(pool.isBroken()).toBe(true);
    await b.close();
    await reopenWorks(path, pool);
  });

  it('a slow request (a worker inside its read) is never taken for a stuck one', async () => {
    const { path, b, pool } = await openRing('slow', 1);
    // A worker counted awake (as one inside a long read is) keeps the watch quiet however long it takes.
    Atomics.sub(inside(pool).ctl, L.SLEEPERS, 1);
    const lost = readTakenByNone(b, pool);
    const outcome = await Promise.race([lost.then(() => 'done', () => 'failed'), new Promise((r) => setTimeout(() => r('waiting'), 1000))]);
    expect(outcome).toBe('waiting');
    expect(pool.isBroken()).toBe(false);
    // Counted asleep again, the worker no longer explains the request: the watch fails it.
    Atomics.add(inside(pool).ctl, L.SLEEPERS, 1);
    await rejectsWith(lost, 'EIO', path, 'stopped responding');
    await b.close();
  });
});
