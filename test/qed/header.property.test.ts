import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryBackend, MemoryStore } from '../../src/io/memory-backend.js';
import { createImage } from '../../src/qed/create.js';
import { QedFormatError } from '../../src/qed/errors.js';
import { parseHeader, serializeHeader, validateHeader, type QedHeader } from '../../src/qed/format.js';
import { QedImage } from '../../src/qed/image.js';

const header: fc.Arbitrary<QedHeader> = fc.record({
  magic: fc.nat({ max: 0xffffffff }),
  clusterSize: fc.nat({ max: 0xffffffff }),
  tableSize: fc.nat({ max: 0xffffffff }),
  headerSize: fc.nat({ max: 0xffffffff }),
  features: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  compatFeatures: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  autoclearFeatures: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  l1TableOffset: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
  imageSize: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
  backingFilenameOffset: fc.nat({ max: 0xffffffff }),
  backingFilenameSize: fc.nat({ max: 0xffffffff }),
});

/** A valid small image's bytes, to mutate. */
async function validImage(): Promise<MemoryStore> {
  const store = new MemoryStore();
  await createImage(new MemoryBackend(store), { size: 8 << 20, clusterSize: 4096, tableSize: 2 });
  const img = await QedImage.open(new MemoryBackend(store));
  await img.write(new Uint8Array(10000).fill(3), 4000);
  await img.writeZeroes(1 << 20, 8192);
  await img.close();
  return store;
}

/** Open read-only and read everything: only QedFormatError may come out, and nothing is written. */
async function openAndReadAll(store: MemoryStore): Promise<'ok' | 'refused'> {
  try {
    const img = await QedImage.open(new MemoryBackend(store, true), { readOnly: true });
    try {
      const buf = new Uint8Array(Math.min(img.size, 1 << 20));
      for (let off = 0; off < Math.min(img.size, 4 << 20); off += buf.length) {
        await img.read(buf.subarray(0, Math.min(buf.length, img.size - off)), off);
      }
      await img.check();
    } catch (err) {
      if (!(err instanceof QedFormatError)) throw err;
    }
    return 'ok';
  } catch (err) {
    if (err instanceof QedFormatError) return 'refused';
    throw err;
  }
}

describe('header parsing', () => {
  it('serialize then parse gives the same header', () => {
    fc.assert(
      fc.property(header, (h) => {
        expect(parseHeader(serializeHeader(h))).toEqual(h);
      }),
    );
  });

  it('validation of arbitrary bytes either accepts or throws a QedFormatError naming a field', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), fc.nat({ max: 2 ** 40 }), (bytes, len) => {
        try {
          validateHeader(parseHeader(bytes), 'fuzz.qed', len);
        } catch (err) {
          expect(err).toBeInstanceOf(QedFormatError);
          expect((err as QedFormatError).field).toMatch(/^[a-z_0-9]+$/);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('a mutated image opens or is refused cleanly, and a read-only open never writes', async () => {
    const base = await validImage();
    const length = base.length;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ at: fc.nat({ max: length - 1 }), value: fc.nat({ max: 255 }) }), { minLength: 1, maxLength: 8 }),
        fc.option(fc.nat({ max: length }), { nil: undefined }),
        async (edits, truncateTo) => {
          const store = new MemoryStore();
          const all = new Uint8Array(length);
          base.copyOut(all, 0);
          // Bias edits toward the header and the first table entries, where meaning is dense.
          for (const e of edits) all[e.at % 3 === 0 ? e.at % 128 : e.at] = e.value;
          store.copyIn(all, 0);
          if (truncateTo !== undefined) store.truncate(truncateTo);
          const before = new Uint8Array(store.length);
          store.copyOut(before, 0);
          const outcome = await openAndReadAll(store);
          expect(['ok', 'refused']).toContain(outcome);
          const after = new Uint8Array(store.length);
          store.copyOut(after, 0);
          expect(Buffer.compare(after, before)).toBe(0); // toEqual on bytes is slow
        },
      ),
      { numRuns: 300 },
    );
  });
});
