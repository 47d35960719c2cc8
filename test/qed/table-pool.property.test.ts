/**
 * The L2 table pool: a cached table's buffer is reused for another table only once nothing holds
 * it. Random concurrent requests over many small tables with a tiny cache, under the
 * deterministic scheduler with random seeds and reordering (so loads, hits, duplicate loads,
 * evictions of in-use entries' neighbours and over-capacity episodes interleave): every buffer
 * the pool hands out must be held by no live entry and by no load in flight, and every read
 * must return what the byte model says, with loads taking back the buffer their table left where
 * it is kept (on a SparseMemoryBackend, which skips copying bytes a buffer still holds).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CacheEntry } from '../../src/cache/l2-cache.js';
import { MemoryBackend, MemoryStore } from '../../src/io/memory-backend.js';
import { DeterministicScheduler } from '../../src/io/scheduler.js';
import { SparseMemoryBackend } from '../../src/io/sparse-memory-backend.js';
import { createImage } from '../../src/qed/create.js';
import { QedImage } from '../../src/qed/image.js';
import type { L2Table } from '../../src/qed/l2-table.js';

const CS = 4096;
const SPAN = 512 * CS; // table_size 1 at 4 KiB clusters: one table maps 512 clusters
const TABLES = 12;
const SIZE = TABLES * SPAN;

interface Op {
  write: boolean;
  table: number;
  cluster: number;
  value: number;
}

const opArb: fc.Arbitrary<Op> = fc.record({
  write: fc.boolean(),
  table: fc.integer({ min: 0, max: TABLES - 1 }),
  cluster: fc.integer({ min: 0, max: 3 }),
  value: fc.integer({ min: 1, max: 255 }),
});

describe('L2 table pool', () => {
  it('never hands out a buffer that a reference or an in-flight load holds; reads match the model', async () => {
    let reused = 0;
    let overCapacity = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 0, max: 6 }),
        fc.constantFrom(1, 2, 3),
        fc.constantFrom('fifo', 'lru', 'arc', 's3-fifo', 'fifo-unsafe'),
        fc.array(fc.array(opArb, { minLength: 1, maxLength: 10 }), { minLength: 2, maxLength: 8 }),
        async (seed, reorder, cacheSize, policy, batches) => {
          const store = new MemoryStore();
          await createImage(new MemoryBackend(store), { size: SIZE, clusterSize: CS, tableSize: 1 });
          const sched = new DeterministicScheduler({
            seed,
            reorder,
            latency: { read: { kind: 'uniform', minUs: 10, maxUs: 300 }, write: { kind: 'uniform', minUs: 10, maxUs: 300 }, flush: { kind: 'constant', us: 50 } },
          });
          const img = await QedImage.open(sched.attach(new SparseMemoryBackend(store)), { l2Cache: { size: cacheSize, policy } });
          const cache = img.cache;
          const entries: CacheEntry<L2Table>[] = [];
          const loading = new Set<L2Table>();
          const spare = cache.spare.bind(cache);
          const alloc = cache.alloc.bind(cache);
          cache.spare = (offset) => {
            const t = spare(offset);
            if (t !== undefined) {
              reused++;
              const holder = entries.find((e) => e.ref > 0 && e.table === t);
              if (holder) throw new Error(`pool handed out the buffer of table ${holder.offset}, which has ${holder.ref} reference(s)`);
              if (loading.has(t)) throw new Error('pool handed out a buffer a load in flight holds');
              loading.add(t);
            }
            return t;
          };
          cache.alloc = (offset, table) => {
            loading.delete(table);
            const e = alloc(offset, table);
            entries.push(e);
            return e;
          };
          const model = new Uint8Array(SIZE);
          for (const batch of batches) {
            const written = new Set<number>();
            const kept = batch.filter((o) => {
              const at = o.table * SPAN + o.cluster * CS;
              if (written.has(at)) return false; // one writer per cluster per batch: the model is defined
              if (o.write) written.add(at);
              return true;
            });
            const reads = kept.filter((o) => !o.write && !written.has(o.table * SPAN + o.cluster * CS));
            await Promise.all([
              ...kept.filter((o) => o.write).map((o) => img.write(new Uint8Array(CS).fill(o.value), o.table * SPAN + o.cluster * CS)),
              ...reads.map(async (o) => {
                const at = o.table * SPAN + o.cluster * CS;
                const got = new Uint8Array(CS);
                await img.read(got, at);
                if (policy === 'fifo-unsafe') return; // may lose writes (the 2012 race): only the pool is checked
                expect(got[0]).toBe(model[at]);
                expect(got[CS - 1]).toBe(model[at]);
              }),
            ]);
            for (const o of kept) if (o.write) model.fill(o.value, o.table * SPAN + o.cluster * CS, o.table * SPAN + (o.cluster + 1) * CS);
            if (cache.stats().peakOverCapacity > 0) overCapacity++;
          }
          expect(entries.every((e) => e.ref >= 0)).toBe(true);
          await img.close();
        },
      ),
      { numRuns: 60 },
    );
    expect(reused).toBeGreaterThan(0);
    expect(overCapacity).toBeGreaterThan(0);
  });
});
