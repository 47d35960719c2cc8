/**
 * need-check across tools: an image left with need-check set by a crashed writer (qemu-io
 * killed by `sigraise 9`, or a copy of our image taken while it is open) is repaired and
 * cleared by the other side's writable open, and both sides then find it clean.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageFile, openImageFile } from '../../src/qed/open-file.js';
import { describeRun, makeTempDir, qemuCheck, qemuIoVerify, qemuUnavailable, removeTempDir, run } from '../helpers/qemu.js';
import { readRawImage } from './raw-tables.js';

const SKIP = qemuUnavailable('interop: need-check');
const NEED_CHECK = 0x2n;

describe.skipIf(SKIP)('need-check set by a crashed writer', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir();
  });
  afterAll(async () => {
    await removeTempDir(dir);
  });

  it('QEMU killed after allocating writes: our writable open checks, clears need-check, data intact', async () => {
    const file = path.join(dir, 'killed.qed');
    const c = await run('qemu-img', ['create', '-q', '-f', 'qed', file, '1G']);
    expect(c.code, describeRun(c)).toBe(0);
    const r = await run('qemu-io', ['-f', 'qed', '-c', 'write -P 0x3c 4096 200k', '-c', `write -P 0x3d ${1024 ** 3 - 65536} 64k`, '-c', 'sigraise 9', file]);
    expect(r.signal, describeRun(r)).toBe('SIGKILL');
    expect(r.stdout.match(/^wrote /gm)?.length, describeRun(r)).toBe(2);
    expect((await readRawImage(file)).features & NEED_CHECK, 'QEMU left need-check set').toBe(NEED_CHECK);

    const ro = await openImageFile(file, { readOnly: true });
    try {
      expect(ro.needsCheck).toBe(true);
      const buf = new Uint8Array(200 * 1024);
      await ro.read(buf, 4096);
      expect(buf.every((b) => b === 0x3c)).toBe(true);
    } finally {
      await ro.close();
    }
    expect((await readRawImage(file)).features & NEED_CHECK, 'a read-only open must not touch the header').toBe(NEED_CHECK);

    const rw = await openImageFile(file);
    try {
      expect(rw.needsCheck).toBe(false);
    } finally {
      await rw.close();
    }
    expect((await readRawImage(file)).features & NEED_CHECK).toBe(0n);
    const { run: chk, check } = await qemuCheck(file);
    expect(chk.code, describeRun(chk)).toBe(0);
    expect(check.corruptions + check.leaks).toBe(0);
    const v = await qemuIoVerify(file, [
      { offset: 4096, length: 200 * 1024, pattern: 0x3c },
      { offset: 1024 ** 3 - 65536, length: 65536, pattern: 0x3d },
      { offset: 0, length: 4096, pattern: 0 },
    ]);
    expect(v.failures).toEqual([]);
    expect(v.reads).toBe(3);
  });

  it('a copy of our image taken while it is open has need-check set; QEMU repairs and clears it', async () => {
    const file = path.join(dir, 'open.qed');
    const copy = path.join(dir, 'crash-copy.qed');
    await createImageFile(file, { size: 1024 ** 3 });
    const img = await openImageFile(file);
    try {
      await img.write(new Uint8Array(150 * 1024).fill(0x5e), 10_000);
      await fsp.copyFile(file, copy); // what a crash would leave on disk
    } finally {
      await img.close();
    }
    expect((await readRawImage(file)).features & NEED_CHECK, 'close clears need-check').toBe(0n);
    expect((await readRawImage(copy)).features & NEED_CHECK, 'need-check set before the first allocating write').toBe(NEED_CHECK);

    // a writable QEMU open of the copy runs its check with repair and clears the bit
    const r = await run('qemu-io', ['-f', 'qed', '-c', 'read -P 0x5e 10000 153600', copy]);
    expect(r.code === 0 && !/fail/i.test(r.stdout + r.stderr), describeRun(r)).toBe(true);
    expect((await readRawImage(copy)).features & NEED_CHECK).toBe(0n);
    const { run: chk } = await qemuCheck(copy);
    expect(chk.code, describeRun(chk)).toBe(0);
  });
});
