import { describe, expect, it } from 'vitest';
import { MemoryBackend, MemoryStore } from '../../src/io/memory-backend.js';
import { createImage } from '../../src/qed/create.js';
import { QedImage } from '../../src/qed/image.js';

describe('onTableAccess', () => {
  it('reports every lookup as hit or miss, and each new table, with the request kind', async () => {
    const store = new MemoryStore();
    // 4 KiB clusters, 1-cluster tables: each L2 table maps 512 clusters = 2 MiB.
    await createImage(new MemoryBackend(store), { size: 64 << 20, clusterSize: 4096, tableSize: 1 });
    const img = await QedImage.open(new MemoryBackend(store), { l2Cache: { size: 1 } });
    const seen: string[] = [];
    img.onTableAccess = (off, kind, op) => seen.push(`${op} ${kind} ${off}`);
    await img.write(new Uint8Array(4096).fill(1), 0); // no table yet: a new one
    await img.write(new Uint8Array(4096).fill(2), 4 << 20); // a second table evicts the first
    await img.read(new Uint8Array(4096), 0); // first table again: miss
    await img.read(new Uint8Array(4096), 4096); // same table: hit
    await img.writeZeroes(0, 4096); // in place on the cached table: hit
    const [t1, t2] = [img.l1[0], img.l1[2]];
    expect(seen).toEqual([`write new ${t1}`, `write new ${t2}`, `read miss ${t1}`, `read hit ${t1}`, `zero hit ${t1}`]);
    const s = img.cacheStats();
    expect(seen.filter((x) => !x.includes(' new ')).length).toBe(s.lookups);
    expect(seen.filter((x) => x.includes(' hit ')).length).toBe(s.hits);
    await img.close();
  });

  it('a listener that throws on a hit fails that request without leaking the table reference', async () => {
    const store = new MemoryStore();
    await createImage(new MemoryBackend(store), { size: 64 << 20, clusterSize: 4096, tableSize: 1 });
    const img = await QedImage.open(new MemoryBackend(store), { l2Cache: { size: 1 } });
    await img.write(new Uint8Array(4096).fill(1), 0);
    img.onTableAccess = (_off, kind) => {
      if (kind === 'hit') throw new Error('listener failed');
    };
    await expect(img.read(new Uint8Array(4096), 0)).rejects.toThrow('listener failed');
    img.onTableAccess = null;
    // A leaked reference would pin the first table: the second could not evict it (2 tables in a cache of 1).
    img.cache.resetPeaks();
    await img.write(new Uint8Array(4096).fill(2), 4 << 20);
    const s = img.cacheStats();
    expect(s.peakOverCapacity).toBe(0);
    expect(s.entries).toBe(1);
    await img.close();
  });
});
