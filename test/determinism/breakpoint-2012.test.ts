/**
 * The three steps of "qed: do not evict in-use L2 table cache entries" (QEMU, 2012), written
 * down with the deterministic scheduler's blkdebug-style breakpoints on a real image file:
 *   1. an allocating write to table A has updated A in memory; its L2 sector write is held
 *      (break l2_update A, wait_break A);
 *   2. a read of table B, with a cache of one table, evicts A while the write still uses it;
 *   3. a read of A misses and loads A from disk, without the update in flight;
 * then resume A. Under fifo-unsafe the stale copy stays cached and the next allocating write
 * to the same L2 sector writes it back: the first write is lost and its cluster leaks. Under
 * fifo step 2 cannot evict A, step 3 hits, and nothing is lost.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IoEvent } from '../../src/io/backend.js';
import { FileBackend } from '../../src/io/file-backend.js';
import { DeterministicScheduler } from '../../src/io/scheduler.js';
import { QedImage } from '../../src/qed/image.js';
import { createImageFile, openImageFile } from '../../src/qed/open-file.js';
import { qemuImgCheck } from '../../src/replay/qemu-check.js';
import { findOnPath } from '../helpers/qemu.js';
import { tempDirs } from '../helpers/tmp.js';

const CS = 4096;
const TABLE_SPAN = 4 * 1024 * 1024; // table_size 2: one L2 table maps 1024 clusters of 4 KiB
const A1 = CS; // cluster 1 under table A (L1 entry 0)
const A2 = 2 * CS; // cluster 2: same L2 sector of A as A1
const B0 = TABLE_SPAN; // cluster 0 under table B (L1 entry 1)
const HAVE_QEMU = findOnPath('qemu-img') !== null;

const filled = (n: number, v: number): Uint8Array => new Uint8Array(n).fill(v);

async function race(dir: string, policy: 'fifo' | 'fifo-unsafe', seed = 2012) {
  const path = join(dir, `race-${policy}.qed`);
  await createImageFile(path, { size: 64 * 1024 * 1024, clusterSize: CS, tableSize: 2 });
  const setup = await openImageFile(path);
  await setup.write(filled(CS, 0x11), 0); // table A exists
  await setup.write(filled(CS, 0x22), B0); // table B exists
  await setup.close();

  const sched = new DeterministicScheduler({
    seed,
    reorder: 4,
    latency: { read: { kind: 'constant', us: 100 }, write: { kind: 'constant', us: 200 }, flush: { kind: 'constant', us: 1000 } },
  });
  /** Completed backend requests, in completion order, with the step they completed in. */
  const log: Array<{ event: IoEvent | undefined; step: string }> = [];
  let step = 'open';
  sched.onComplete = (_kind, event) => log.push({ event, step });
  const img = await QedImage.open(sched.attach(await FileBackend.open(path)), { l2Cache: { size: 1, policy } });

  step = '1: allocating write to A';
  sched.breakAt('l2_update', 'A');
  const writer = img.write(filled(CS, 0xaa), A1);
  await sched.waitBreak('A'); // the data is written and A updated in memory; its L2 write is held

  step = '2: read of B';
  await img.read(new Uint8Array(CS), B0);
  const afterB = img.cacheStats();

  step = '3: read of A';
  const during = new Uint8Array(CS);
  await img.read(during, A1);
  const afterA = img.cacheStats();

  step = 'resume A';
  sched.resume('A');
  await writer;

  step = 'after';
  const after = new Uint8Array(CS);
  await img.read(after, A1);
  await img.write(filled(CS, 0xbb), A2); // rewrites the L2 sector holding A1's entry from the cached A
  const stats = img.cacheStats();
  await img.close();

  const reopened = await openImageFile(path, { readOnly: true });
  const onDisk = new Uint8Array(CS);
  await reopened.read(onDisk, A1);
  const onDisk2 = new Uint8Array(CS);
  await reopened.read(onDisk2, A2);
  const check = await reopened.check();
  await reopened.close();
  const qemu = HAVE_QEMU ? await qemuImgCheck(path, true) : null;
  return { log, afterB, afterA, during, after, onDisk, onDisk2, stats, check, qemu };
}

/** The events that completed during a step. */
const during = (r: Awaited<ReturnType<typeof race>>, step: string): Array<IoEvent | undefined> =>
  r.log.filter((e) => e.step.startsWith(step)).map((e) => e.event);

describe('the 2012 race with scheduler breakpoints', () => {
  const tmp = tempDirs();
  if (!HAVE_QEMU) console.warn('[breakpoint-2012] qemu-img not on PATH: its check of the result is skipped');

  it('fifo-unsafe: B evicts A in use, A reloads stale from disk, and the allocating write is lost', async () => {
    const r = await race(await tmp(), 'fifo-unsafe');
    // step 1: A loaded, need-check set (first allocating write), data written; the L2 update held
    expect(during(r, '1')).toEqual(['l2_load', 'header_update', 'flush_to_disk', 'write_aio']);
    // step 2: B loaded from disk, evicting A although the write holds a reference
    expect(during(r, '2')).toEqual(['l2_load', 'read_aio']);
    expect(r.afterB.evictionsInUse).toBe(1);
    // step 3: A missed and was loaded from disk while its update was still held
    expect(during(r, '3')).toEqual(['l2_load']);
    expect(r.afterA.misses).toBe(r.afterB.misses + 1);
    expect(r.during[0]).toBe(0); // the stale table says A1 is unallocated
    // only now does the update reach the disk
    expect(during(r, 'resume')).toEqual(['l2_update']);
    // the loss: in memory at once, and on disk after the next update of that L2 sector
    expect(r.after[0]).toBe(0);
    expect(r.onDisk[0]).toBe(0);
    expect(r.onDisk2[0]).toBe(0xbb); // the later write is fine
    expect(r.check).toMatchObject({ leaks: 1, corruptions: 0 }); // the lost write's data cluster
    if (r.qemu) expect(r.qemu).toMatchObject({ exitCode: 3, leaks: 1, corruptions: 0 });
  });

  it('fifo: the same steps evict nothing in use, A stays cached, nothing is lost', async () => {
    const r = await race(await tmp(), 'fifo');
    expect(during(r, '1')).toEqual(['l2_load', 'header_update', 'flush_to_disk', 'write_aio']);
    // step 2: B still loads, but A is skipped (in use): the cache grows past its capacity of 1
    expect(during(r, '2')).toEqual(['l2_load', 'read_aio']);
    expect(r.afterB.evictionsInUse).toBe(0);
    expect(r.afterB.inUseSkips).toBeGreaterThanOrEqual(1);
    expect(r.afterB.peakOverCapacity).toBeGreaterThanOrEqual(1);
    // step 3: A hits in the cache, with the update: the data is read
    expect(during(r, '3')).toEqual(['read_aio']);
    expect(r.afterA.hits).toBeGreaterThan(r.afterB.hits);
    expect(r.during[0]).toBe(0xaa);
    expect(during(r, 'resume')).toEqual(['l2_update']);
    expect(r.after[0]).toBe(0xaa);
    expect(r.onDisk[0]).toBe(0xaa);
    expect(r.onDisk2[0]).toBe(0xbb);
    expect(r.stats.entries).toBeLessThanOrEqual(1); // shrank back once references dropped
    expect(r.check).toMatchObject({ leaks: 0, corruptions: 0 });
    if (r.qemu) expect(r.qemu).toMatchObject({ exitCode: 0, leaks: 0, corruptions: 0 });
  });

  it('the interleaving does not depend on the scheduler seed', async () => {
    const a = await race(await tmp(), 'fifo-unsafe', 1);
    const b = await race(await tmp(), 'fifo-unsafe', 99);
    expect(b.log).toEqual(a.log);
    expect(b.onDisk[0]).toBe(0);
  });
});
