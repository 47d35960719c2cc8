/** ZeroIndex: its paged bitmap lists exactly the chunks written non-zero, across page boundaries, in memory that follows them. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SparseBuffer, SPARSE_CHUNK } from '../../src/io/sparse-buffer.js';
import { ZeroIndex } from '../../src/io/zero-index.js';

/** Chunks a page of the bitmap covers (1024 words of 32). */
const PAGE_CHUNKS = 32768;

describe('ZeroIndex', () => {
  it('lists what a set of written chunks says, near and across page boundaries, and readInto copies just those', () => {
    const chunk = fc.oneof(fc.nat({ max: 4 * PAGE_CHUNKS }), fc.integer({ min: -40, max: 40 }).map((d) => Math.max(0, 2 * PAGE_CHUNKS + d)));
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 60 }), fc.integer({ min: -70, max: 10 }), (chunks, from) => {
        const z = new ZeroIndex();
        const listed = new Set<number>();
        const one = new Uint8Array(SPARSE_CHUNK).fill(7);
        for (const c of chunks) {
          z.noteWrite(one, c * SPARSE_CHUNK);
          listed.add(c);
        }
        z.noteWrite(new Uint8Array(SPARSE_CHUNK), (5 * PAGE_CHUNKS + 3) * SPARSE_CHUNK); // zeros list nothing
        for (const c of [...listed, 5 * PAGE_CHUNKS + 3, 0, PAGE_CHUNKS - 1, PAGE_CHUNKS]) expect(z.has(c), `chunk ${c}`).toBe(listed.has(c));
        // A 64-chunk read around the second page boundary: copied where listed, zero elsewhere.
        const first = 2 * PAGE_CHUNKS + from;
        const dst = new SparseBuffer(64 * SPARSE_CHUNK);
        dst.markAll();
        const copied: number[] = [];
        z.readInto(dst, first * SPARSE_CHUNK, (buf, from, to, offset) => {
          expect(buf).toBe(dst.bytes);
          for (let at = from; at < to; at += SPARSE_CHUNK) copied.push(offset / SPARSE_CHUNK + (at - from) / SPARSE_CHUNK);
        });
        const want = Array.from({ length: 64 }, (_, i) => first + i).filter((c) => listed.has(c));
        expect(copied).toEqual(want);
        expect([...dst.dirty].flatMap((d, i) => (d ? [first + i] : []))).toEqual(want);
      }),
    );
  });

  it('holds one 4 KiB page for a chunk listed at 256 GiB, not a bitmap up to it', () => {
    const z = new ZeroIndex();
    z.noteWrite(new Uint8Array(512).fill(1), 256 * 1024 ** 3);
    expect(z.has((256 * 1024 ** 3) / SPARSE_CHUNK)).toBe(true);
    expect(z.heldBytes).toBe(4096);
  });
});
