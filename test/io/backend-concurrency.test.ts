import { readFile } from 'node:fs/promises';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlockBackend } from '../../src/io/backend.js';
import { FileBackend } from '../../src/io/file-backend.js';
import { dirty, expectBytes, kinds, pattern, rejectsWith, TempDir } from './helpers.js';

const N = 64;

interface Range {
  offset: number;
  length: number;
}

/** 64 disjoint ranges laid end to end with gaps, plus the order in which to issue them. */
const layoutArb = fc
  .record({
    lengths: fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: N, maxLength: N }),
    gaps: fc.array(fc.integer({ min: 0, max: 5_000 }), { minLength: N, maxLength: N }),
    keys: fc.array(fc.double({ noNaN: true }), { minLength: N, maxLength: N }),
  })
  .map(({ lengths, gaps, keys }) => {
    const ranges: Range[] = [];
    let at = 0;
    for (let i = 0; i < N; i++) {
      at += gaps[i];
      ranges.push({ offset: at, length: lengths[i] });
      at += lengths[i];
    }
    const order = [...ranges.keys()].sort((x, y) => keys[x] - keys[y] || x - y);
    return { ranges, order, end: at };
  });

async function readAll(b: BlockBackend, ranges: Range[]): Promise<Uint8Array[]> {
  return Promise.all(
    ranges.map(async (r) => {
      const buf = dirty(r.length);
      await b.read(buf, r.offset);
      return buf;
    }),
  );
}

const tmp = new TempDir();
beforeAll(() => tmp.setup());
afterAll(() => tmp.teardown());

describe.each(kinds(tmp))('$name backend under concurrency', (kind) => {
  it('64 concurrent writes to distinct ranges, then concurrent reads, return every byte', async () => {
    await fc.assert(
      fc.asyncProperty(layoutArb, async ({ ranges, order, end }) => {
        const dev = await kind.create();
        const b = dev.backend;
        try {
          // All 64 in flight at once, issued in shuffled order, most of them extending the file.
          await Promise.all(order.map((i) => b.write(pattern(ranges[i].offset, ranges[i].length, i), ranges[i].offset)));
          expect(await b.size()).toBe(end);

          const gaps: Range[] = ranges
            .map((r, i) => ({ offset: i === 0 ? 0 : ranges[i - 1].offset + ranges[i - 1].length, length: 0, next: r.offset }))
            .map((g) => ({ offset: g.offset, length: g.next - g.offset }))
            .filter((g) => g.length > 0);
          const [data, holes] = await Promise.all([readAll(b, ranges), readAll(b, gaps)]);
          data.forEach((buf, i) => expectBytes(buf, pattern(ranges[i].offset, ranges[i].length, i), `range ${i}`));
          holes.forEach((buf, i) => expect(buf.every((x) => x === 0), `gap ${i} is zeros`).toBe(true));

          // Overwrite the even ranges while reading the odd ones, all at once.
          const evens = ranges.filter((_, i) => i % 2 === 0);
          const odds = ranges.filter((_, i) => i % 2 === 1);
          const [, oddData] = await Promise.all([
            Promise.all(evens.map((r, j) => b.write(pattern(r.offset, r.length, 1000 + j), r.offset))),
            readAll(b, odds),
          ]);
          oddData.forEach((buf, j) => expectBytes(buf, pattern(odds[j].offset, odds[j].length, 2 * j + 1), `odd ${j}`));
          const evenData = await readAll(b, evens);
          evenData.forEach((buf, j) => expectBytes(buf, pattern(evens[j].offset, evens[j].length, 1000 + j), `even ${j}`));
        } finally {
          await b.close();
        }
      }),
      { numRuns: 15 },
    );
  });

  it('close() lets operations in flight finish, refuses later ones, and keeps the writes', async () => {
    const dev = await kind.create();
    const b = dev.backend;
    const size = 16_384;
    for (let i = 0; i < N; i++) await b.write(pattern(i * size, size, i), i * size);

    const reads = Array.from({ length: N }, async (_, i) => {
      const buf = dirty(size);
      await b.read(buf, i * size);
      return buf;
    });
    const base = N * size;
    const writes = Array.from({ length: N }, (_, i) => b.write(pattern(base + i * size, size, 500 + i), base + i * size));
    const closed = b.close();
    const late = b.read(new Uint8Array(16), 0);

    await rejectsWith(late, 'EBADF', b.name);
    (await Promise.all(reads)).forEach((buf, i) => expectBytes(buf, pattern(i * size, size, i), `read ${i} in flight at close`));
    await Promise.all(writes);
    await closed;

    const again = await dev.reopen(true);
    try {
      expect(await again.size()).toBe(2 * N * size);
      const back = await readAll(again, Array.from({ length: N }, (_, i) => ({ offset: base + i * size, length: size })));
      back.forEach((buf, i) => expectBytes(buf, pattern(base + i * size, size, 500 + i), `write ${i} in flight at close`));
    } finally {
      await again.close();
    }
  });

  it('close() waits for reads that straddle the end (their second system call comes after it)', async () => {
    const dev = await kind.create();
    const b = dev.backend;
    const data = pattern(0, 10_000, 1);
    await b.write(data, 0);
    // Each read gets 1,000 bytes from its first call and needs a second call, issued from the
    // first one's callback (after close() was called), to see the end.
    const reads = Array.from({ length: N }, async () => {
      const buf = dirty(4_000);
      await b.read(buf, 9_000);
      return buf;
    });
    const closed = b.close();
    const expected = new Uint8Array(4_000);
    expected.set(data.subarray(9_000));
    (await Promise.all(reads)).forEach((buf, i) => expectBytes(buf, expected, `straddling read ${i}`));
    await closed;
  });
});

describe('FileBackend descriptor reuse', () => {
  it('a closed backend never touches the file that reuses its descriptor number', async () => {
    const first = await FileBackend.open(tmp.file('first'), { create: true });
    await first.write(pattern(0, 100, 1), 0);
    await first.close();

    const otherPath = tmp.file('other');
    const other = await FileBackend.open(otherPath, { create: true }); // likely gets the same fd number
    const content = pattern(0, 4096, 2);
    try {
      await other.write(content, 0);
      await rejectsWith(first.write(new Uint8Array(4096), 0), 'EBADF', first.name);
      await rejectsWith(first.truncate(0), 'EBADF', first.name);
      expect(await other.size()).toBe(4096);
    } finally {
      await other.close();
    }
    expectBytes(new Uint8Array(await readFile(otherPath)), content, 'the other file');
  });
});
