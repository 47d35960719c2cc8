/**
 * engine allocation 'parallel': allocating writes under different L1 entries run together,
 * written down step by step with the deterministic scheduler's blkdebug-style breakpoints on
 * real image files; and the shared resources they must not break: the need-check header
 * update, the L1 sector that two new tables share, rollback, and qemu-img check of the result.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IoEvent } from '../../src/io/backend.js';
import { FaultPlan, withFaults } from '../../src/io/faults.js';
import { FileBackend } from '../../src/io/file-backend.js';
import { DeterministicScheduler } from '../../src/io/scheduler.js';
import { L2_UNALLOCATED } from '../../src/qed/format.js';
import { QedImage } from '../../src/qed/image.js';
import type { AllocationMode } from '../../src/qed/options.js';
import { createImageFile, openImageFile } from '../../src/qed/open-file.js';
import { qemuImgCheck } from '../../src/replay/qemu-check.js';
import { runWorkload } from '../../src/replay/runner.js';
import { parseWorkload } from '../../src/workload/load.js';
import { findOnPath } from '../helpers/qemu.js';
import { tempDirs } from '../helpers/tmp.js';

const CS = 4096;
const TABLE_SPAN = 4 * 1024 * 1024; // table_size 2: one L2 table maps 1024 clusters of 4 KiB
const HAVE_QEMU = findOnPath('qemu-img') !== null;
/** Long enough that every request not held or queued completes first (virtual microseconds). */
const SETTLE_US = 50_000;

const filled = (n: number, v: number): Uint8Array => new Uint8Array(n).fill(v);

function scheduler(seed = 6, reorder = 4): DeterministicScheduler {
  return new DeterministicScheduler({
    seed,
    reorder,
    latency: { read: { kind: 'constant', us: 100 }, write: { kind: 'constant', us: 200 }, flush: { kind: 'constant', us: 1000 } },
  });
}

/** A fresh image file (no L2 tables) opened under `sched`, logging completed events. */
async function fresh(dir: string, name: string, sched: DeterministicScheduler, allocation: AllocationMode, cacheSize = 4) {
  const path = join(dir, `${name}.qed`);
  await createImageFile(path, { size: 64 * 1024 * 1024, clusterSize: CS, tableSize: 2 });
  const log: Array<IoEvent | undefined> = [];
  sched.onComplete = (_kind, event) => log.push(event);
  const img = await QedImage.open(sched.attach(await FileBackend.open(path)), { allocation, l2Cache: { size: cacheSize } });
  log.length = 0; // the open's header and L1 reads
  return { path, img, log };
}

/** Resolves true if `p` settles before every other request is done (virtual time), else false. */
const before = (sched: DeterministicScheduler, p: Promise<unknown>): Promise<boolean> =>
  Promise.race([p.then(() => true), sched.sleep(SETTLE_US).then(() => false)]);

async function readBack(path: string, offsets: number[]) {
  const img = await openImageFile(path, { readOnly: true, repairOnOpen: false });
  const bytes: number[] = [];
  for (const off of offsets) {
    const b = new Uint8Array(CS);
    await img.read(b, off);
    bytes.push(b[0]);
  }
  const l1 = Array.from(img.l1.subarray(0, 16));
  const check = await img.check();
  const needsCheck = img.needsCheck;
  await img.close();
  return { bytes, l1, check, needsCheck };
}

describe('parallel allocation', () => {
  const tmp = tempDirs();
  if (!HAVE_QEMU) console.warn('[parallel-alloc] qemu-img not on PATH: its checks are skipped');

  /**
   * A's data write is held (break write_aio A); then B, an allocating write under another L1
   * entry, starts. In parallel mode B gets as far as its own data write (break write_aio B)
   * while A is still held; in serial mode B waits in the queue and issues nothing.
   */
  async function twoTables(dir: string, allocation: AllocationMode) {
    const sched = scheduler();
    const { path, img } = await fresh(dir, allocation, sched, allocation);
    sched.breakAt('write_aio', 'A');
    const a = img.write(filled(CS, 0xaa), CS);
    await sched.waitBreak('A');
    sched.breakAt('write_aio', 'B');
    const b = img.write(filled(CS, 0xbb), TABLE_SPAN + CS);
    const bothInFlight = await before(sched, sched.waitBreak('B'));
    const pending = img.allocationsPending;
    const waits = img.stats.allocationWaits;
    sched.resume('A');
    sched.resume('B');
    await Promise.all([a, b]);
    const tables = img.stats.tablesAllocated;
    await img.close();
    return { bothInFlight, pending, waits, tables, after: await readBack(path, [CS, TABLE_SPAN + CS]) };
  }

  it('parallel: allocating writes to two L2 tables are in flight at once', async () => {
    const r = await twoTables(await tmp(), 'parallel');
    expect(r.bothInFlight).toBe(true);
    expect(r.pending).toBe(2);
    expect(r.waits).toBe(0);
    expect(r.tables).toBe(2);
    expect(r.after.bytes).toEqual([0xaa, 0xbb]);
    expect(r.after.check).toMatchObject({ corruptions: 0, leaks: 0 });
    expect(r.after.needsCheck).toBe(false);
  });

  it('serial: the second allocating write waits in the queue until the first is done', async () => {
    const r = await twoTables(await tmp(), 'serial');
    expect(r.bothInFlight).toBe(false);
    expect(r.pending).toBe(2); // one holds the lock, one waits for it
    expect(r.waits).toBe(1);
    expect(r.after.bytes).toEqual([0xaa, 0xbb]);
    expect(r.after.check).toMatchObject({ corruptions: 0, leaks: 0 });
  });

  it('parallel: allocating writes under one L1 entry still queue, in arrival order', async () => {
    const sched = scheduler();
    const { path, img, log } = await fresh(await tmp(), 'same-table', sched, 'parallel');
    sched.breakAt('write_aio', 'A');
    const a = img.write(filled(CS, 0xaa), CS);
    await sched.waitBreak('A');
    sched.breakAt('write_aio', 'B');
    const b = img.write(filled(CS, 0xbb), 2 * CS); // same table, same L2 sector
    expect(await before(sched, sched.waitBreak('B'))).toBe(false);
    expect(img.stats.allocationWaits).toBe(1);
    sched.resume('A');
    await a;
    await sched.waitBreak('B'); // B's lookup, redone after A, found A's new table
    sched.resume('B');
    await b;
    expect(img.stats.tablesAllocated).toBe(1);
    expect(log.filter((e) => e === 'l2_update')).toHaveLength(2); // A's new table, then B's sector
    await img.close();
    const after = await readBack(path, [CS, 2 * CS]);
    expect(after.bytes).toEqual([0xaa, 0xbb]);
    expect(after.check).toMatchObject({ corruptions: 0, leaks: 0 });
  });

  it('concurrent first allocating writes share one need-check update and wait until it is flushed', async () => {
    const sched = scheduler();
    const { path, img, log } = await fresh(await tmp(), 'need-check', sched, 'parallel');
    sched.breakAt('flush_to_disk', 'F'); // the flush that makes need-check durable
    const writes = [0, 1, 2, 3].map((k) => img.write(filled(CS, 0x10 + k), k * TABLE_SPAN));
    await sched.waitBreak('F');
    // While need-check is not durable, no allocating write may write data.
    expect(await before(sched, Promise.all(writes))).toBe(false);
    expect(log).toEqual(['header_update']);
    sched.resume('F');
    await Promise.all(writes);
    expect(log.filter((e) => e === 'header_update')).toHaveLength(1);
    expect(log.indexOf('write_aio')).toBeGreaterThan(log.indexOf('flush_to_disk'));
    expect(img.needsCheck).toBe(true);
    await img.close(); // flush at idle: need-check cleared
    const after = await readBack(path, [0, TABLE_SPAN, 2 * TABLE_SPAN, 3 * TABLE_SPAN]);
    expect(after.bytes).toEqual([0x10, 0x11, 0x12, 0x13]);
    expect(after.needsCheck).toBe(false);
    expect(after.check).toMatchObject({ corruptions: 0, leaks: 0 });
  });

  it('a flush that overlaps an allocating write leaves need-check set, even if the write ends first; one at idle clears it', async () => {
    const sched = scheduler();
    const { img } = await fresh(await tmp(), 'idle', sched, 'parallel');
    await img.write(filled(CS, 1), 0);
    sched.breakAt('l2_update', 'A');
    const a = img.write(filled(CS, 2), 2 * CS); // an L2 sector update of table 0
    await sched.waitBreak('A');
    sched.breakAt('flush_to_disk', 'F');
    const f = img.flush(); // issued while A is in flight
    await sched.waitBreak('F');
    sched.resume('A');
    await a; // A's L2 update completed after the flush was issued: that flush does not cover it
    sched.resume('F');
    await f;
    expect(img.needsCheck).toBe(true);
    const b = img.write(filled(CS, 3), TABLE_SPAN);
    const g = img.flush(); // issued while B is in flight
    await b;
    await g;
    expect(img.needsCheck).toBe(true);
    await img.flush(); // at idle
    expect(img.needsCheck).toBe(false);
    await img.close();
  });

  /**
   * Two new tables whose L1 entries (0 and 1) share one 512-byte L1 sector. The first L1 sector
   * write is held; the other writer must not write the sector meanwhile, or the held (older)
   * sector image lands last and drops the other table's entry.
   */
  it('two new tables in one L1 sector: the held L1 write lands first, both entries reach the disk', async () => {
    const sched = scheduler();
    const { path, img, log } = await fresh(await tmp(), 'l1-sector', sched, 'parallel');
    sched.breakAt('l1_update', 'L1');
    const a = img.write(filled(CS, 0xaa), 0);
    const b = img.write(filled(CS, 0xbb), TABLE_SPAN);
    await sched.waitBreak('L1');
    // The other writer gets as far as its table (written and flushed) and then waits for the sector.
    expect(await before(sched, Promise.race([a, b]))).toBe(false);
    expect(log.filter((e) => e === 'l1_update')).toHaveLength(0);
    expect(log.filter((e) => e === 'l2_update')).toHaveLength(2);
    sched.resume('L1');
    await Promise.all([a, b]);
    expect(log.filter((e) => e === 'l1_update')).toHaveLength(2);
    await img.close();
    const after = await readBack(path, [0, TABLE_SPAN]);
    expect(after.l1[0]).not.toBe(L2_UNALLOCATED);
    expect(after.l1[1]).not.toBe(L2_UNALLOCATED);
    expect(after.bytes).toEqual([0xaa, 0xbb]);
    expect(after.check).toMatchObject({ corruptions: 0, leaks: 0 });
    if (HAVE_QEMU) expect(await qemuImgCheck(path, true)).toMatchObject({ exitCode: 0, corruptions: 0, leaks: 0 });
  });

  it('16 new tables in one L1 sector, completions reordered: every entry is on disk, for every seed', async () => {
    const dir = await tmp();
    for (let seed = 1; seed <= 12; seed++) {
      const sched = scheduler(seed, 16);
      const { path, img } = await fresh(dir, `l1-seed-${seed}`, sched, 'parallel');
      const offsets = Array.from({ length: 16 }, (_, k) => k * TABLE_SPAN + (k % 3) * CS);
      await Promise.all(offsets.map((off, k) => img.write(filled(CS, k + 1), off)));
      await img.close();
      const after = await readBack(path, offsets);
      expect({ seed, bytes: after.bytes }).toEqual({ seed, bytes: offsets.map((_, k) => k + 1) });
      expect(after.l1.every((e) => e !== L2_UNALLOCATED)).toBe(true);
      expect(after.check).toMatchObject({ corruptions: 0, leaks: 0 });
    }
  });

  it('a failed L1 write for one new table rolls back only its own entry; the table beside it stays', async () => {
    const dir = await tmp();
    const path = join(dir, 'rollback.qed');
    await createImageFile(path, { size: 64 * 1024 * 1024, clusterSize: CS, tableSize: 2 });
    const faults = new FaultPlan([], 1);
    const sched = scheduler(3, 8);
    const img = await QedImage.open(sched.attach(withFaults(await FileBackend.open(path), faults)), { allocation: 'parallel' });
    faults.add({ event: 'l1_update', errno: 'EIO', when: { kind: 'once' } });
    const results = await Promise.allSettled([img.write(filled(CS, 0xaa), 0), img.write(filled(CS, 0xbb), TABLE_SPAN)]);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    const failed = results.findIndex((r) => r.status === 'rejected');
    expect(img.stats.rollbacks).toBe(1);
    expect(img.l1[failed]).toBe(L2_UNALLOCATED);
    expect(img.l1[1 - failed]).not.toBe(L2_UNALLOCATED);
    await img.write(filled(CS, 0xcc), 2 * TABLE_SPAN); // the next writer of the sector
    await img.close();
    const after = await readBack(path, [0, TABLE_SPAN, 2 * TABLE_SPAN]);
    const want = [0xaa, 0xbb, 0xcc];
    want[failed] = 0;
    expect(after.bytes).toEqual(want);
    expect(after.l1[failed]).toBe(L2_UNALLOCATED);
    expect(after.check).toMatchObject({ corruptions: 0, leaks: 3 }); // the failed write's data cluster and its table (2 clusters)
  });

  it('with a backing file: concurrent partial writes in many tables fill the rest of their clusters from it', async () => {
    const dir = await tmp();
    const base = join(dir, 'base.raw');
    const size = 64 * 1024 * 1024;
    const pattern = (off: number): number => ((off >> 9) * 7 + 3) & 0xff; // one byte value per sector
    const raw = new Uint8Array(size);
    for (let off = 0; off < size; off += 512) raw.fill(pattern(off), off, off + 512);
    writeFileSync(base, raw);
    const path = join(dir, 'overlay.qed');
    await createImageFile(path, { size, clusterSize: CS, tableSize: 2, backingFile: 'base.raw', backingFormat: 'raw' });
    const sched = scheduler(9, 8);
    const img = await openImageFile(path, { allocation: 'parallel', wrap: (b) => sched.attach(b) });
    // 1 KiB in the middle of a cluster, in each of 12 tables, all at once.
    const offsets = Array.from({ length: 12 }, (_, k) => k * TABLE_SPAN + k * CS + 1024);
    await Promise.all(offsets.map((off) => img.write(filled(1024, 0xee), off)));
    expect(img.stats.tablesAllocated).toBe(12);
    await img.close();
    const re = await openImageFile(path, { readOnly: true });
    for (const off of offsets) {
      const got = new Uint8Array(CS);
      const start = off - 1024;
      await re.read(got, start);
      const want = raw.slice(start, start + CS);
      want.fill(0xee, 1024, 2048);
      expect(Buffer.compare(got, want)).toBe(0);
    }
    expect(await re.check()).toMatchObject({ corruptions: 0, leaks: 0 });
    await re.close();
  });

  it('a replay of workloads/parallel-alloc.yaml on a file passes its integrity check and qemu-img check', async () => {
    const text = readFileSync('workloads/parallel-alloc.yaml', 'utf8');
    for (const mode of ['deterministic', 'real']) {
      const [w] = parseWorkload(text, 'workloads/parallel-alloc.yaml', { set: [`scheduler.mode=${mode}`] });
      expect(w.engine.allocation).toBe('parallel');
      const out = await runWorkload(w, { qemuCheck: HAVE_QEMU });
      expect({ mode, verdict: out.integrity.verdict }).toEqual({ mode, verdict: 'passed' });
      expect(out.integrity.check).toMatchObject({ corruptions: 0, leaks: 0 });
      expect(out.total.engine.tablesAllocated).toBeGreaterThan(50);
      if (HAVE_QEMU) expect(out.integrity.qemuCheck).toMatchObject({ exitCode: 0, corruptions: 0, leaks: 0 });
    }
  }, 60_000);
});
