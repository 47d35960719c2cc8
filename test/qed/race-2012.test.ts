import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileBackend } from '../../src/io/file-backend.js';
import { createImageFile, openImageFile } from '../../src/qed/open-file.js';
import { QedImage } from '../../src/qed/image.js';
import { ControlledBackend } from '../helpers/controlled-backend.js';
import { tempDirs } from '../helpers/tmp.js';

const CS = 4096;
const SPAN = 2 * 1024 * 1024; // one L2 table maps 512 clusters of 4 KiB (table_size 1)
const A1 = CS; // cluster 1 under table A (L1 entry 0)
const A2 = 2 * CS; // cluster 2, same L2 sector as A1
const B0 = SPAN; // cluster 0 under table B (L1 entry 1)

const filled = (n: number, v: number): Uint8Array => new Uint8Array(n).fill(v);

/**
 * The interleaving from "qed: do not evict in-use L2 table cache entries" (2012), with a cache
 * of one table: (1) an allocating write updates table A and its L2 write is held; (2) a read
 * of table B evicts A; (3) a read of A misses and loads A from disk while the update is in flight.
 */
async function race(dir: string, policy: string) {
  const path = join(dir, `race-${policy}.qed`);
  await createImageFile(path, { size: 64 * 1024 * 1024, clusterSize: CS, tableSize: 1 });
  const setup = await openImageFile(path);
  await setup.write(filled(CS, 0x11), 0); // table A exists
  await setup.write(filled(CS, 0x22), B0); // table B exists
  await setup.close();

  const ctl = new ControlledBackend(await FileBackend.open(path));
  const img = await QedImage.open(ctl, { cacheSize: 1, cachePolicy: policy });
  const gate = ctl.hold('l2_update');
  const writer = img.write(filled(CS, 0xaa), A1);
  await gate.reached; // step 1: data written, in-memory A updated, L2 sector write held

  await img.read(new Uint8Array(CS), B0); // step 2: load B
  const during = new Uint8Array(CS);
  await img.read(during, A1); // step 3: A again, while the update is in flight
  gate.release();
  await writer;

  const after = new Uint8Array(CS);
  await img.read(after, A1);
  await img.write(filled(CS, 0xbb), A2); // rewrites the L2 sector holding A1's entry
  const stats = img.cacheStats();
  await img.close();

  const reopened = await openImageFile(path, { readOnly: true });
  const onDisk = new Uint8Array(CS);
  await reopened.read(onDisk, A1);
  const check = await reopened.check();
  await reopened.close();
  return { during, after, onDisk, stats, check };
}

describe('the 2012 L2 cache race', () => {
  const tmp = tempDirs();

  it('fifo-unsafe evicts the in-use table and loses the allocating write', async () => {
    const r = await race(await tmp(), 'fifo-unsafe');
    expect(r.stats.evictionsInUse).toBeGreaterThanOrEqual(1);
    expect(r.during[0]).toBe(0); // the stale table was loaded from disk
    expect(r.after[0]).toBe(0); // lost in memory right after the write completed
    expect(r.onDisk[0]).toBe(0); // and on disk once the stale sector was written back
    expect(r.check.leaks).toBe(1); // the data cluster of the lost write is referenced by nothing
    expect(r.check.corruptions).toBe(0);
  });

  it('fifo keeps the in-use table, grows past capacity, and loses nothing', async () => {
    const r = await race(await tmp(), 'fifo');
    expect(r.stats.evictionsInUse).toBe(0);
    expect(r.stats.inUseSkips).toBeGreaterThanOrEqual(1);
    expect(r.stats.peakOverCapacity).toBeGreaterThanOrEqual(1);
    expect(r.stats.overCapacityEpisodes).toBeGreaterThanOrEqual(1);
    expect(r.stats.entries).toBeLessThanOrEqual(1); // shrank back once references dropped
    expect(r.after[0]).toBe(0xaa);
    expect(r.onDisk[0]).toBe(0xaa);
    expect(r.check).toMatchObject({ leaks: 0, corruptions: 0 });
  });
});
