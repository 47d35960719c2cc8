import { describe, expect, it } from 'vitest';
import { MemoryBackend, MemoryStore } from '../../src/io/memory-backend.js';
import { dirty, expectBytes, pattern, rejectsWith } from './helpers.js';

describe('MemoryStore shared by several MemoryBackends', () => {
  it('every backend sees the same bytes and size, whichever one wrote them', async () => {
    const store = new MemoryStore();
    const a = new MemoryBackend(store);
    const b = new MemoryBackend(store);
    const ro = new MemoryBackend(store, true);

    const first = pattern(65_000, 3_000, 1); // spans the first page edge
    await a.write(first, 65_000);
    const seen = dirty(3_000);
    await b.read(seen, 65_000);
    expectBytes(seen, first, 'b reads what a wrote');
    expect(await ro.size()).toBe(68_000);

    const second = pattern(66_000, 500, 2);
    await b.write(second, 66_000);
    const seenByA = dirty(3_000);
    await a.read(seenByA, 65_000);
    const expected = first.slice();
    expected.set(second, 1_000);
    expectBytes(seenByA, expected, 'a reads b overwriting part of its write');

    await b.truncate(65_500);
    expect(await a.size()).toBe(65_500);
    const afterCut = dirty(3_000);
    await ro.read(afterCut, 65_000);
    expectBytes(afterCut.subarray(0, 500), first.subarray(0, 500), 'kept part');
    expect(afterCut.subarray(500).every((x) => x === 0)).toBe(true);
  });

  it('closing one backend leaves the store and the others usable', async () => {
    const store = new MemoryStore();
    const a = new MemoryBackend(store);
    const b = new MemoryBackend(store);
    const data = pattern(0, 100, 3);
    await a.write(data, 0);
    await a.close();
    await rejectsWith(a.read(new Uint8Array(1), 0), 'EBADF');
    const buf = dirty(100);
    await b.read(buf, 0);
    expectBytes(buf, data, 'b after a closed');
  });

  it('separate stores do not share bytes', async () => {
    const a = new MemoryBackend();
    const b = new MemoryBackend();
    await a.write(pattern(0, 10, 1), 0);
    expect(await b.size()).toBe(0);
  });
});
