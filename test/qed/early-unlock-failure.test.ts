// An allocating write publishes its L2 entries before their sector write lands (the allocation
// lock is released early): a write that lands in place in such a cluster must not be
// acknowledged if that sector write then fails and the mapping is undone.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IoEvent } from '../../src/io/backend.js';
import { FileBackend } from '../../src/io/file-backend.js';
import { QedImage } from '../../src/qed/image.js';
import { createImageFile, openImageFile } from '../../src/qed/open-file.js';
import { tempDirs } from '../helpers/tmp.js';

const CS = 4096;

/** The file backend with its first L2 sector write failing with EIO after a delay (so others overlap it). */
async function slowFailingL2(path: string): Promise<FileBackend> {
  const io = await FileBackend.open(path);
  const write = io.write.bind(io);
  let failed = false;
  io.write = (buf: Uint8Array, offset: number, event?: IoEvent): Promise<void> => {
    if (event !== 'l2_update' || failed) return write(buf, offset);
    failed = true;
    return new Promise((_, reject) => setTimeout(() => reject(Object.assign(new Error('injected EIO'), { code: 'EIO' })), 30));
  };
  return io;
}

describe('early allocation unlock and a failing L2 sector write', () => {
  const tmp = tempDirs();

  it('a write that went in place into the cluster whose mapping failed is refused, not acknowledged', async () => {
    const path = join(await tmp(), 'img.qed');
    await createImageFile(path, { size: 16 * 1024 * 1024, clusterSize: CS, tableSize: 1 });
    const s = await openImageFile(path);
    await s.write(new Uint8Array(CS).fill(0x11), 0); // the table exists: the next mapping is an l2_update
    await s.close();

    const img = await QedImage.open(await slowFailingL2(path), {});
    const a = img.write(new Uint8Array(CS).fill(0xaa), CS); // allocates; its sector write fails late
    const b = img.write(new Uint8Array(512).fill(0xbb), CS + 512); // queued behind it, then in place
    const [ra, rb] = await Promise.allSettled([a, b]);
    await img.close();

    expect(ra.status).toBe('rejected');
    const re = await openImageFile(path, { readOnly: true });
    const got = new Uint8Array(512);
    await re.read(got, CS + 512);
    const check = await re.check();
    await re.close();
    // b went in place into a's cluster while a's sector write was in flight; that mapping was
    // undone, so b must not have been acknowledged, and nothing of it is on disk.
    expect(rb.status).toBe('rejected');
    expect(String((rb as PromiseRejectedResult).reason)).toMatch(/undone/);
    expect(got[0]).toBe(0);
    expect(check.corruptions).toBe(0);
  });
});
