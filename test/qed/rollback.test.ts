import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IoEvent } from '../../src/io/backend.js';
import { FaultPlan, withFaults } from '../../src/io/faults.js';
import { FileBackend } from '../../src/io/file-backend.js';
import { QedImage } from '../../src/qed/image.js';
import { createImageFile, openImageFile } from '../../src/qed/open-file.js';
import { tempDirs } from '../helpers/tmp.js';

const CS = 4096;
const filled = (n: number, v: number): Uint8Array => new Uint8Array(n).fill(v);

async function readByte(img: QedImage, off: number): Promise<number> {
  const b = new Uint8Array(1);
  await img.read(b, off);
  return b[0];
}

/**
 * QEMU keeps a failed mapping in memory and persists it with the next metadata write; we
 * roll back. `prepare` makes the failing write hit an existing table (l2_update on a sector)
 * or a new one (l1_update).
 */
async function failThenContinue(dir: string, event: IoEvent, prepare: boolean) {
  const path = join(dir, `${event}.qed`);
  await createImageFile(path, { size: 16 * 1024 * 1024, clusterSize: CS, tableSize: 1 });
  if (prepare) {
    const s = await openImageFile(path);
    await s.write(filled(CS, 0x11), 0);
    await s.close();
  }
  const faults = new FaultPlan([], 1);
  const img = await QedImage.open(withFaults(await FileBackend.open(path), faults), {});
  faults.add({ event, errno: 'EIO', when: { kind: 'once' } });
  await expect(img.write(filled(CS, 0xaa), CS)).rejects.toMatchObject({ code: 'EIO' });
  const afterFailure = await readByte(img, CS);
  await img.write(filled(CS, 0xbb), 2 * CS); // next metadata write to the same sector
  const stats = { ...img.stats };
  await img.close();

  const re = await openImageFile(path, { readOnly: true });
  const result = {
    afterFailure,
    failedOnDisk: await readByte(re, CS),
    nextOnDisk: await readByte(re, 2 * CS),
    check: await re.check(),
    stats,
  };
  await re.close();
  return result;
}

describe('rollback of a failed metadata write', () => {
  const tmp = tempDirs();

  it('an L2 sector write that fails leaves no mapping behind, in memory or on disk', async () => {
    const r = await failThenContinue(await tmp(), 'l2_update', true);
    expect(r.stats.rollbacks).toBe(1);
    expect(r.afterFailure).toBe(0);
    expect(r.failedOnDisk).toBe(0);
    expect(r.nextOnDisk).toBe(0xbb);
    expect(r.check.corruptions).toBe(0);
    expect(r.check.leaks).toBe(1); // the data cluster of the failed write
  });

  it('an L1 write that fails for a new table leaves the L1 entry empty', async () => {
    const r = await failThenContinue(await tmp(), 'l1_update', false);
    expect(r.stats.rollbacks).toBe(1);
    expect(r.afterFailure).toBe(0);
    expect(r.failedOnDisk).toBe(0);
    expect(r.nextOnDisk).toBe(0xbb);
    expect(r.check.corruptions).toBe(0);
    expect(r.check.leaks).toBe(2); // the failed write's data cluster and its unlinked table
  });

  it('a failed data write surfaces the errno and the image stays consistent', async () => {
    const r = await failThenContinue(await tmp(), 'write_aio', true);
    expect(r.failedOnDisk).toBe(0);
    expect(r.nextOnDisk).toBe(0xbb);
    expect(r.check.corruptions).toBe(0);
  });
});
