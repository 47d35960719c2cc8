/** QedImage.read's `zeroed`: a caller's buffer it says holds zeros is not filled for a zero or unallocated run; data runs are read as always. */
import { describe, expect, it } from 'vitest';
import { MemoryBackend, MemoryStore } from '../../src/io/memory-backend.js';
import { createImage } from '../../src/qed/create.js';
import { QedImage } from '../../src/qed/image.js';

describe('read with zeroed', () => {
  it('leaves the buffer as it is over unallocated and zero clusters (cached table or none), fills it otherwise, and reads data runs either way', async () => {
    const store = new MemoryStore();
    await createImage(new MemoryBackend(store), { size: 64 << 20, clusterSize: 4096, tableSize: 1 });
    const img = await QedImage.open(new MemoryBackend(store), { l2Cache: { size: 4 } });
    await img.write(new Uint8Array(4096).fill(7), 0);
    await img.writeZeroes(8192, 4096);
    const marked = (): Uint8Array => new Uint8Array(4096).fill(0xee);
    // 4096: unallocated in a cached table; 8192: a zero cluster; 32 MiB: no table at all.
    for (const off of [4096, 8192, 32 << 20]) {
      const kept = marked();
      await img.read(kept, off, undefined, true);
      expect(kept.every((b) => b === 0xee)).toBe(true);
      const filled = marked();
      await img.read(filled, off);
      expect(filled.every((b) => b === 0)).toBe(true);
    }
    const data = marked();
    await img.read(data, 0, undefined, true);
    expect(data.every((b) => b === 7)).toBe(true);
    await img.close();
  });
});
