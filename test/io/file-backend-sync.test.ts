import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBackend } from '../../src/io/file-backend.js';
import { dirty, expectBytes, pattern, rejectsWith, TempDir } from './helpers.js';

const tmp = new TempDir();
beforeAll(() => tmp.setup());
afterAll(() => tmp.teardown());

/** Whether `p` has settled by the time the current synchronous code ends (a microtask later). */
async function settledAtOnce(p: Promise<unknown>): Promise<boolean> {
  let settled = false;
  p.then(
    () => (settled = true),
    () => (settled = true),
  );
  await Promise.resolve();
  await Promise.resolve();
  return settled;
}

describe("FileBackend io: 'sync'", () => {
  it('reads and writes are done when the call returns; holes and the region past the end read as zeros', async () => {
    const p = tmp.file('sync');
    const b = await FileBackend.open(p, { create: true, io: 'sync' });
    try {
      expect(b.io).toBe('sync');
      const data = pattern(10_000, 70_000, 1);
      const w = b.write(data, 10_000);
      // The bytes are in the file before the promise is even awaited: a blocking pwrite.
      expectBytes(new Uint8Array(await readFile(p)).subarray(10_000), data, 'file right after write()');
      expect(await settledAtOnce(w)).toBe(true);
      const buf = dirty(90_000);
      const r = b.read(buf, 0);
      expect(await settledAtOnce(r)).toBe(true);
      expectBytes(buf.subarray(0, 10_000), new Uint8Array(10_000), 'hole before the write');
      expectBytes(buf.subarray(10_000, 80_000), data, 'written bytes');
      expectBytes(buf.subarray(80_000), new Uint8Array(10_000), 'past the end');
      await b.flush();
      expect(await b.size()).toBe(80_000);
    } finally {
      await b.close();
    }
  });

  it('async mode still goes through the thread pool: its read has not settled a microtask later', async () => {
    const p = tmp.file('async');
    await writeFile(p, pattern(0, 4096, 2));
    const b = await FileBackend.open(p, { readOnly: true, io: 'async' });
    try {
      expect(b.io).toBe('async');
      const r = b.read(dirty(4096), 0);
      expect(await settledAtOnce(r)).toBe(false);
      await r;
    } finally {
      await b.close();
    }
  });

  it('errors are rejected promises (never thrown) with the same code and message as async mode', async () => {
    const p = tmp.file('errors');
    await writeFile(p, pattern(0, 8192, 3));
    const messages: Record<string, string[]> = {};
    for (const io of ['async', 'sync'] as const) {
      const b = await FileBackend.open(p, { io });
      const ro = await FileBackend.open(p, { readOnly: true, io });
      const got: string[] = [];
      let call: Promise<unknown> | undefined;
      expect(() => (call = b.read(new Uint8Array(512), -4096))).not.toThrow();
      got.push((await rejectsWith(call!, 'EINVAL', p, 'read 512 bytes at -4096', 'not a byte offset')).message);
      expect(() => (call = b.write(new Uint8Array(512), 2 ** 53))).not.toThrow();
      got.push((await rejectsWith(call!, 'EINVAL', p, 'write 512 bytes at')).message);
      got.push((await rejectsWith(ro.write(new Uint8Array(512), 0), 'EROFS', p, 'opened read-only')).message);
      await ro.flush(); // a read-only file has nothing to flush, in either mode
      await b.close();
      await ro.close();
      expect(() => (call = b.read(new Uint8Array(512), 0))).not.toThrow();
      got.push((await rejectsWith(call!, 'EBADF', p, 'read 512 bytes at 0', 'closed')).message);
      got.push((await rejectsWith(b.write(new Uint8Array(512), 0), 'EBADF', p, 'closed')).message);
      got.push((await rejectsWith(b.flush(), 'EBADF', p, 'flush')).message);
      messages[io] = got;
    }
    expect(messages.sync).toEqual(messages.async);
  });

  it("a system error keeps its errno and names the file (EISDIR from a directory's descriptor)", async () => {
    const b = await FileBackend.open(tmp.dir, { readOnly: true, io: 'sync' });
    try {
      await rejectsWith(b.read(new Uint8Array(512), 4096), 'EISDIR', tmp.dir, 'read 512 bytes at 4096');
    } finally {
      await b.close();
    }
  });
});
