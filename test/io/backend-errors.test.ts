import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBackend } from '../../src/io/file-backend.js';
import { MemoryBackend, MemoryStore } from '../../src/io/memory-backend.js';
import { dirty, expectBytes, kinds, pattern, rejectsWith, TempDir } from './helpers.js';

const tmp = new TempDir();
beforeAll(() => tmp.setup());
afterAll(() => tmp.teardown());

describe('FileBackend errors', () => {
  it('a read-only file refuses writes and truncates with EROFS and stays unchanged', async () => {
    const p = tmp.file('ro');
    const original = pattern(0, 5000, 3);
    await writeFile(p, original);
    const b = await FileBackend.open(p, { readOnly: true });
    try {
      expect(b.readOnly).toBe(true);
      await rejectsWith(b.write(pattern(0, 100, 9), 10), 'EROFS', p, 'write 100 bytes at 10');
      await rejectsWith(b.write(pattern(0, 100, 9), 1 << 20), 'EROFS', p);
      await rejectsWith(b.truncate(10), 'EROFS', p, 'truncate');
      await b.flush(); // nothing to flush, and no error
      const buf = dirty(5000);
      await b.read(buf, 0); // reading still works
      expectBytes(buf, original, 'read through the read-only backend');
    } finally {
      await b.close();
    }
    expectBytes(new Uint8Array(await readFile(p)), original, 'file after refused writes');
  });

  it('opening a missing file gives ENOENT naming the path, and creates nothing', async () => {
    const p = path.join(tmp.dir, 'no-such-dir', 'missing.qed');
    await rejectsWith(FileBackend.open(p), 'ENOENT', p, 'open for writing');
    await rejectsWith(FileBackend.open(p, { readOnly: true }), 'ENOENT', p, 'open for reading');
    const q = tmp.file('missing');
    await rejectsWith(FileBackend.open(q), 'ENOENT', q);
    expect(existsSync(q)).toBe(false);
  });

  it('an I/O error from the system keeps its errno and names the file and the operation', async () => {
    const dir = path.join(tmp.dir, 'a-directory');
    await mkdir(dir);
    const b = await FileBackend.open(dir, { readOnly: true }); // open(2) allows O_RDONLY on a directory
    try {
      await rejectsWith(b.read(new Uint8Array(512), 4096), 'EISDIR', dir, 'read 512 bytes at 4096');
    } finally {
      await b.close();
    }
  });

  it('create empties an existing file', async () => {
    const p = tmp.file('create');
    await writeFile(p, pattern(0, 3000, 1));
    const b = await FileBackend.open(p, { create: true });
    try {
      expect(await b.size()).toBe(0);
    } finally {
      await b.close();
    }
  });
});

describe('MemoryBackend read-only', () => {
  it('refuses writes and truncates with EROFS and leaves the store unchanged', async () => {
    const store = new MemoryStore();
    const original = pattern(0, 70_000, 5);
    store.copyIn(original, 0);
    const b = new MemoryBackend(store, true, 'mem-ro');
    await rejectsWith(b.write(pattern(0, 100, 9), 10), 'EROFS', 'mem-ro', 'write 100 bytes at 10');
    await rejectsWith(b.truncate(10), 'EROFS', 'mem-ro', 'truncate');
    expect(store.length).toBe(70_000);
    const buf = dirty(70_000);
    await b.read(buf, 0);
    expectBytes(buf, original, 'store after refused writes');
  });
});

describe.each(kinds(tmp))('$name backend argument and state errors', (kind) => {
  it('rejects offsets that are not byte counts with EINVAL', async () => {
    const { backend: b } = await kind.create();
    try {
      await rejectsWith(b.read(new Uint8Array(4), -1), 'EINVAL', b.name, 'read 4 bytes at -1');
      await rejectsWith(b.write(new Uint8Array(4), 1.5), 'EINVAL', b.name, 'write 4 bytes at 1.5');
      await rejectsWith(b.write(new Uint8Array(4), Number.MAX_SAFE_INTEGER), 'EINVAL', b.name);
      await rejectsWith(b.truncate(-5), 'EINVAL', b.name);
      expect(await b.size()).toBe(0); // nothing was written
    } finally {
      await b.close();
    }
  });

  it('after close every operation fails with EBADF naming the device, and closing again is fine', async () => {
    const { backend: b } = await kind.create();
    await b.write(pattern(0, 10, 1), 0);
    await b.close();
    await rejectsWith(b.read(new Uint8Array(4), 0), 'EBADF', b.name, 'read 4 bytes at 0');
    await rejectsWith(b.write(new Uint8Array(4), 0), 'EBADF', b.name, 'write');
    await rejectsWith(b.truncate(0), 'EBADF', b.name, 'truncate');
    await rejectsWith(b.flush(), 'EBADF', b.name, 'flush');
    await rejectsWith(b.size(), 'EBADF', b.name);
    await expect(b.close()).resolves.toBeUndefined();
  });
});
