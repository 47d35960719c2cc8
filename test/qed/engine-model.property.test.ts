import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryBackend, MemoryStore } from '../../src/io/memory-backend.js';
import { createImage } from '../../src/qed/create.js';
import { QedImage } from '../../src/qed/image.js';

const SIZE = 12 << 20;

interface Op {
  kind: 'write' | 'zero' | 'read';
  off: number;
  len: number;
  value: number;
}

const op: fc.Arbitrary<Op> = fc
  .record({
    kind: fc.constantFrom<Op['kind']>('write', 'write', 'zero', 'read'),
    off: fc.nat({ max: SIZE - 1 }),
    len: fc.oneof(fc.integer({ min: 1, max: 20000 }), fc.constantFrom(4096, 8192, 65536)),
    value: fc.integer({ min: 1, max: 255 }),
    aligned: fc.boolean(),
  })
  .map(({ kind, off, len, value, aligned }) => {
    const o = aligned ? off - (off % 4096) : off;
    return { kind, off: o, len: Math.min(len, SIZE - o), value };
  });

const overlaps = (a: Op, b: Op): boolean => a.off < b.off + b.len && b.off < a.off + a.len;

/**
 * Batches run concurrently; inside a batch, writes and zeroes that overlap an earlier op of
 * the batch are dropped, so the model's outcome is defined. Every read is checked against the
 * model, then the whole disk after reopening.
 */
describe('engine against a byte model', () => {
  it('concurrent batches of writes, zeroes and reads match the model; check stays clean', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(4096, 8192),
        fc.constantFrom(1, 2),
        fc.constantFrom(1, 2, 50),
        fc.array(fc.array(op, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 6 }),
        async (clusterSize, tableSize, cacheSize, batches) => {
          const store = new MemoryStore();
          await createImage(new MemoryBackend(store), { size: SIZE, clusterSize, tableSize });
          const img = await QedImage.open(new MemoryBackend(store), { l2Cache: { size: cacheSize } });
          const model = new Uint8Array(SIZE);
          for (const batch of batches) {
            const kept: Op[] = [];
            for (const o of batch) if (!kept.some((k) => overlaps(k, o) && (k.kind !== 'read' || o.kind !== 'read'))) kept.push(o);
            await Promise.all(
              kept.map(async (o) => {
                if (o.kind === 'write') return img.write(new Uint8Array(o.len).fill(o.value), o.off);
                if (o.kind === 'zero') return img.writeZeroes(o.off, o.len);
                const got = new Uint8Array(o.len);
                await img.read(got, o.off);
                expect(Buffer.compare(got, model.subarray(o.off, o.off + o.len))).toBe(0);
              }),
            );
            for (const o of kept) {
              if (o.kind === 'write') model.fill(o.value, o.off, o.off + o.len);
              if (o.kind === 'zero') model.fill(0, o.off, o.off + o.len);
            }
          }
          const stats = img.cacheStats();
          expect(stats.hits + stats.misses).toBe(stats.lookups);
          expect(stats.entries).toBeLessThanOrEqual(cacheSize);
          await img.close();

          const again = await QedImage.open(new MemoryBackend(store, true), { readOnly: true });
          expect(again.needsCheck).toBe(false);
          const disk = new Uint8Array(SIZE);
          await again.read(disk, 0);
          expect(Buffer.compare(disk, model)).toBe(0);
          expect(await again.check()).toMatchObject({ corruptions: 0, leaks: 0, checkErrors: 0 });
          await again.close();
        },
      ),
      { numRuns: 60 },
    );
  });
});
