/**
 * The ring and adaptive paths and cache: none beyond the shared backend contract
 * (helpers.ts kinds() runs that on every path): O_DIRECT really set, unaligned requests bounced
 * without losing bytes, refusals with clear messages, worker errors named, the adaptive switch.
 */
import fs, { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendError } from '../../src/io/backend.js';
import { FileBackend } from '../../src/io/file-backend.js';
import { DEFAULT_DIRECT_THREADS, DEFAULT_RING_THREADS } from '../../src/io/ring-pool.js';
import { FAST_RUN, OFFLOAD_FOR, SLOW_RUN } from '../../src/io/inline-gate.js';
import { uvDirectPoolFor } from '../../src/io/uv-direct.js';
import { chooseIo, DIRECT_UV_MIN, uvPoolThreads } from '../../src/io/io-choice.js';
import { WorkloadError } from '../../src/workload/errors.js';
import { parseWorkload } from '../../src/workload/load.js';
import { cli, cliOk } from '../cli/helpers.js';
import { dirty, expectBytes, pattern, rejectsWith, TempDir } from './helpers.js';

const tmp = new TempDir();
beforeAll(() => tmp.setup());
afterAll(() => tmp.teardown());

/** The O_DIRECT bit in /proc/self/fdinfo's octal flags (x86-64 and arm64: 040000 / 0200000). */
function descriptorFlags(b: FileBackend): number {
  const m = /flags:\s*([0-7]+)/.exec(readFileSync(`/proc/self/fdinfo/${fdOf(b)}`, 'utf8'));
  return parseInt(m![1], 8);
}
function fdOf(b: FileBackend): number {
  return (b as unknown as { fd: number }).fd;
}
const O_DIRECT = process.arch === 'arm64' ? 0o200000 : 0o40000;

describe('cache: none (O_DIRECT on the ring and on libuv\'s pool)', () => {
  it('opens with O_DIRECT, and writeback does not', async () => {
    const p = tmp.file('flags');
    const direct = await FileBackend.open(p, { create: true, cache: 'none' });
    const cached = await FileBackend.open(p, { io: 'ring' });
    try {
      expect(direct.io).toBe(uvPoolThreads() >= DIRECT_UV_MIN ? 'async' : 'ring'); // auto's rule reads the environment's pool size
      expect(direct.ioReason).toMatch(/^auto: cache none/);
      expect(descriptorFlags(direct) & O_DIRECT).toBe(O_DIRECT);
      expect(descriptorFlags(cached) & O_DIRECT).toBe(0);
    } finally {
      await direct.close();
      await cached.close();
    }
  });

  it('runs on a pool of DEFAULT_DIRECT_THREADS (8) workers, and a queue four times deeper than the pool completes every request', async () => {
    const p = tmp.file('pool-size');
    const direct = await FileBackend.open(p, { create: true, io: 'ring', cache: 'none' });
    const cached = await FileBackend.open(p, { io: 'ring' });
    try {
      expect(DEFAULT_DIRECT_THREADS).toBe(8);
      expect(direct.ringThreads).toBe(DEFAULT_DIRECT_THREADS);
      expect(cached.ringThreads).toBe(DEFAULT_RING_THREADS);
      expect((await FileBackend.open(p, { io: 'ring', cache: 'none', threads: 3 }).then(async (b) => [b.ringThreads, await b.close()]))[0]).toBe(3);
      const depth = 4 * DEFAULT_DIRECT_THREADS;
      await Promise.all(Array.from({ length: depth }, (_, i) => direct.write(pattern(i * 4096, 4096, i), i * 4096)));
      const back = await Promise.all(Array.from({ length: depth }, async (_, i) => {
        const buf = dirty(4096);
        await direct.read(buf, i * 4096);
        return buf;
      }));
      back.forEach((buf, i) => expectBytes(buf, pattern(i * 4096, 4096, i), `block ${i}`));
    } finally {
      await direct.close();
      await cached.close();
    }
  });

  it.each(['ring', 'async'] as const)('io %s: unaligned concurrent writes into the same 4 KiB blocks are bounced and merged without losing bytes; the file keeps its exact size', async (io) => {
    const p = tmp.file('merge');
    const b = await FileBackend.open(p, { create: true, io, cache: 'none' });
    try {
      // 40 writes of 100 bytes, 100 apart, all at once: many share a block, each needs a read-modify-write.
      await Promise.all(Array.from({ length: 40 }, (_, i) => b.write(pattern(i * 100 + 3, 100, i), i * 100 + 3)));
      expect(await b.size()).toBe(4003);
      const back = dirty(4003);
      await b.read(back, 0);
      expect(back[0] + back[1] + back[2]).toBe(0);
      for (let i = 0; i < 40; i++) expectBytes(back.subarray(i * 100 + 3, i * 100 + 103), pattern(i * 100 + 3, 100, i), `write ${i}`);
      // A read larger than a slot (128 KiB) and unaligned: split and bounced.
      const big = pattern(5000, 300_001, 77);
      await b.write(big, 5000);
      const got = dirty(300_001);
      await b.read(got, 5000);
      expectBytes(got, big, 'large unaligned write read back');
    } finally {
      await b.close();
    }
    expect(readFileSync(p).length).toBe(305_001);
  });

  it.each(['ring', 'async'] as const)('io %s: reads across an unaligned end of file while concurrent writes grow the file: no EINVAL, the old end or the new bytes', async (io) => {
    // The failing pattern of the concurrent property test: a read short at an unaligned end of
    // file used to read on from that offset, which O_DIRECT refuses once the file has grown.
    const p = tmp.file('grow');
    const b = await FileBackend.open(p, { create: true, io, cache: 'none' });
    try {
      for (let round = 0; round < 40; round++) {
        await b.truncate(0);
        await b.write(pattern(0, 100, round), 0); // the file ends at 100, mid-block
        const reads = Array.from({ length: 16 }, () => dirty(8192));
        await Promise.all([
          b.write(pattern(8192, 8192, round), 8192), // aligned, extends the file
          ...reads.slice(0, 8).map((r) => b.read(r, 0)),
          b.write(pattern(20_000, 50, round), 20_000), // unaligned: an extending bounce merge
          ...reads.slice(8).map((r) => b.read(r, 0)),
        ]);
        for (const r of reads) {
          expectBytes(r.subarray(0, 100), pattern(0, 100, round), `round ${round}: the first 100 bytes`);
          expect(r.subarray(100).every((x) => x === 0), `round ${round}: zeros past the old end`).toBe(true);
        }
        expect(await b.size()).toBe(20_050);
      }
    } finally {
      await b.close();
    }
  });

  it('io: async with cache: none opens with O_DIRECT and runs on libuv\'s pool; more requests than its 64 slots wait for one (counted), bytes intact', async () => {
    const p = tmp.file('uv-direct');
    const b = await FileBackend.open(p, { create: true, io: 'async', cache: 'none' });
    try {
      expect([b.io, b.cache, b.ioReason]).toEqual(['async', 'none', 'chosen']);
      expect(descriptorFlags(b) & O_DIRECT).toBe(O_DIRECT);
      // Unaligned writes that share blocks (bounced and merged in order).
      await Promise.all(Array.from({ length: 80 }, (_, i) => b.write(pattern(i * 700 + 5, 700, i), i * 700 + 5)));
      expect(await b.size()).toBe(80 * 700 + 5);
      const back = dirty(80 * 700);
      await b.read(back, 5);
      for (let i = 0; i < 80; i++) expectBytes(back.subarray(i * 700, i * 700 + 700), pattern(i * 700 + 5, 700, i), `write ${i}`);
      // On a file that need not grow, aligned writes and reads all start at once: more than the
      // pool's 64 slots, so some wait for one; an 8 MiB read takes 64 slots by itself.
      const MiB = 1 << 20;
      await b.write(new Uint8Array(9 * MiB), MiB);
      const pool = uvDirectPoolFor(dirname(p), fdOf(b))!;
      const waitedBefore = pool.waited;
      const big = dirty(8 * MiB);
      const reads = Array.from({ length: 200 }, () => dirty(4096));
      await Promise.all([
        ...Array.from({ length: 200 }, (_, i) => b.write(pattern(MiB + i * 4096, 4096, i), MiB + i * 4096)),
        b.read(big, 2 * MiB),
        ...reads.map((r, i) => b.read(r, 9 * MiB + i * 4096)),
      ]);
      expect(pool.waited).toBeGreaterThan(waitedBefore);
      expect(big.every((x) => x === 0)).toBe(true);
      for (const r of reads) expect(r.every((x) => x === 0)).toBe(true);
      const after = dirty(200 * 4096);
      await b.read(after, MiB);
      for (let i = 0; i < 200; i++) expectBytes(after.subarray(i * 4096, (i + 1) * 4096), pattern(MiB + i * 4096, 4096, i), `aligned write ${i}`);
    } finally {
      await b.close();
    }
  });

  it("auto with cache: none takes libuv's pool when UV_THREADPOOL_SIZE is at least 8, else the ring, and says why", () => {
    expect(uvPoolThreads({})).toBe(4);
    expect(uvPoolThreads({ UV_THREADPOOL_SIZE: '16' })).toBe(16);
    // As libuv reads it (threads counted in /proc/self/task on Node 20: x, '' and 0 give 1; -3 gives 1024; 16x gives 16).
    for (const [v, n] of [['x', 1], ['', 1], ['0', 1], ['-3', 1024], ['16x', 16], [' 8', 8], ['5000', 1024]] as const) expect(uvPoolThreads({ UV_THREADPOOL_SIZE: v }), v).toBe(n);
    const many = chooseIo('f', 'auto', 'none', DIRECT_UV_MIN);
    expect(many.io).toBe('async');
    expect(many.reason).toMatch(/libuv's 8 threads/);
    const few = chooseIo('f', 'auto', 'none', DIRECT_UV_MIN - 1);
    expect(few.io).toBe('ring');
    expect(few.reason).toMatch(/UV_THREADPOOL_SIZE < 8/);
    expect(chooseIo('f', 'auto', 'writeback', 64).io).toBe('adaptive');
  });

  it('io: sync or adaptive with cache: none is refused, naming the file and what to use', async () => {
    const p = tmp.file('refuse');
    await writeFile(p, new Uint8Array(4096));
    for (const io of ['sync', 'adaptive'] as const) {
      await rejectsWith(FileBackend.open(p, { io, cache: 'none' }), 'EINVAL', p, `io: ${io}`, 'use io: async, ring or auto');
    }
    expect(() => chooseIo(p, 'sync', 'none')).toThrow(BackendError);
  });

  it('a workload with cache: none and io: sync is refused at load, naming the field', () => {
    const yaml = 'name: x\nimage: { size: 16M, io: sync, cache: none }\nphases:\n  - jobs: [{ stop: { ops: 10 } }]\n';
    expect(() => parseWorkload(yaml, 'x.yaml')).toThrow(WorkloadError);
    try {
      parseWorkload(yaml, 'x.yaml');
    } catch (e) {
      expect((e as Error).message).toMatch(/image\.cache/);
      expect((e as Error).message).toMatch(/use io: async, ring or auto/);
    }
  });

  // tmpfs refuses O_DIRECT before Linux 6.6 (and takes it since); the test needs a filesystem that refuses.
  const refusing = ['/dev/shm'].find((dir) => {
    try {
      const f = join(dir, `qed-bench-odirect-${process.pid}`);
      try {
        fs.closeSync(fs.openSync(f, fs.constants.O_CREAT | fs.constants.O_RDWR | fs.constants.O_DIRECT, 0o600));
        return false;
      } catch (e) {
        return (e as NodeJS.ErrnoException).code === 'EINVAL';
      } finally {
        fs.rmSync(f, { force: true });
      }
    } catch {
      return false;
    }
  });
  if (!refusing) console.log('skipping the O_DIRECT refusal test: /dev/shm (tmpfs) takes O_DIRECT on this kernel (Linux 6.6+)');
  it.skipIf(!refusing)('a filesystem that refuses O_DIRECT gives a clear error naming the file', async () => {
    const dir = await mkdtemp(join(refusing!, 'qed-bench-'));
    try {
      const p = join(dir, 'img');
      await writeFile(p, new Uint8Array(4096));
      await rejectsWith(FileBackend.open(p, { cache: 'none' }), 'EINVAL', p, 'refuses O_DIRECT', 'cache: writeback');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the ring and adaptive paths', () => {
  it('an error in a worker thread is a rejection with the errno, naming the file and the request', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qed-bench-ringdir-'));
    try {
      const b = await FileBackend.open(dir, { readOnly: true, io: 'ring' });
      await rejectsWith(b.read(new Uint8Array(4096), 0), 'EISDIR', dir, 'read 4096 bytes at 0');
      await b.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('adaptive runs requests inline while they are fast, and hands the next ones to the ring after a slow one', async () => {
    const p = tmp.file('adaptive');
    const b = await FileBackend.open(p, { create: true, io: 'adaptive' });
    try {
      expect(b.io).toBe('adaptive');
      await b.write(pattern(0, 8192, 1), 0);
      const gate = b.gate!;
      const inline = gate.inline;
      gate.took(10 ** 9); // one slow request alone (a lost time slice) changes nothing
      await b.read(dirty(16), 0);
      expect(gate.inline).toBe(inline + 1);
      for (let i = 0; i < SLOW_RUN; i++) gate.took(10 ** 9); // as if that many requests in a row had taken a second
      const times: number[] = [];
      const offloadTook = gate.offloadTook.bind(gate);
      gate.offloadTook = (ns) => {
        times.push(ns);
        offloadTook(10 ** 9); // as if each had taken a second: the hand-off goes on
      };
      const bufs = Array.from({ length: 8 }, () => dirty(4096));
      await Promise.all(bufs.map((buf, i) => b.read(buf, i * 1024)));
      expect(gate.offloaded).toBe(8);
      expect(gate.inline).toBe(inline + 1);
      expect(times).toHaveLength(8); // every handed-off request tells the gate how long it took
      expect(times.every((ns) => ns > 0)).toBe(true);
      const whole = new Uint8Array(12288);
      whole.set(pattern(0, 8192, 1));
      bufs.forEach((buf, i) => expectBytes(buf, whole.subarray(i * 1024, i * 1024 + 4096), `offloaded read ${i}`));
      for (let i = 8; i < OFFLOAD_FOR; i++) await b.read(dirty(16), 0);
      expect(gate.offloaded).toBe(OFFLOAD_FOR);
      await b.read(dirty(16), 0);
      expect(gate.inline).toBe(inline + 2); // back inline once the hand-offs are used up
    } finally {
      await b.close();
    }
  });

  it('adaptive comes back inline early once FAST_RUN handed-off requests in a row were fast', async () => {
    const p = tmp.file('adaptive-back');
    const b = await FileBackend.open(p, { create: true, io: 'adaptive' });
    try {
      await b.write(pattern(0, 8192, 2), 0);
      const gate = b.gate!;
      const offloadTook = gate.offloadTook.bind(gate);
      gate.offloadTook = () => {}; // the real completions' times left out: only the ones below count
      for (let i = 0; i < SLOW_RUN; i++) gate.took(10 ** 9);
      const inline = gate.inline;
      for (let i = 0; i < FAST_RUN - 1; i++) offloadTook(1000);
      offloadTook(10 ** 9); // one slow completion starts the count again
      for (let i = 0; i < FAST_RUN - 1; i++) offloadTook(1000);
      await b.read(dirty(16), 0);
      expect([gate.inline, gate.offloaded]).toEqual([inline, 1]); // still handed off
      offloadTook(1000);
      const buf = dirty(4096);
      await b.read(buf, 0);
      expect([gate.inline, gate.offloaded]).toEqual([inline + 1, 1]); // inline again, long before OFFLOAD_FOR
      expectBytes(buf, pattern(0, 8192, 2).subarray(0, 4096), 'read back inline');
    } finally {
      await b.close();
    }
  });

  it('the default path is auto: adaptive with writeback', async () => {
    const p = tmp.file('default');
    const b = await FileBackend.open(p, { create: true });
    try {
      expect([b.io, b.cache]).toEqual(['adaptive', 'writeback']);
      expect(b.ioReason).toMatch(/^auto: /);
    } finally {
      await b.close();
    }
  });
});

describe('qed-bench io --io/--cache', () => {
  it('--cache none runs the commands with O_DIRECT (auto: libuv pool through the launcher); with --io sync it is a usage error saying what to use', async () => {
    const img = tmp.file('cli');
    await cliOk(0, 'create', img, '16M', '-c', '4k');
    await cliOk(0, 'io', img, '--cache', 'none', '-c', 'write -P 0xab 1000 5000', '-c', 'flush');
    const r = await cliOk(0, 'io', img, '--io', 'ring', '--cache', 'none', '-r', '-c', 'read -P 0xab 1000 5000', '-c', 'read -P 0 6000 1000');
    expect(r.stdout).toContain('read 5000/5000 bytes at offset 1000');
    expect((await cliOk(0, 'check', img)).stdout).toMatch(/No errors were found/);
    const bad = await cli('io', img, '--io', 'sync', '--cache', 'none', '-c', 'flush');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('cannot use io: sync with cache: none');
    expect(bad.stderr).toContain('use io: async, ring or auto');
  });
});
