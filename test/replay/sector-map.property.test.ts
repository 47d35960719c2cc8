import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SectorMap } from '../../src/replay/sector-map.js';

/**
 * The map allocates chunks of a power-of-two number of sectors (an implementation detail that
 * has changed); positions cluster around every power-of-two boundary from 2^8 to 2^16, where
 * runs must coalesce across chunks.
 */
const CHUNK = 1 << 16; // at least the chunk size
const DOMAIN = 3 * CHUNK;
const BOUNDARIES = [8, 9, 10, 11, 12, 13, 14, 15, 16].flatMap((b) => [1 << b, 2 << b]);

const posArb = fc.oneof(
  fc.integer({ min: 0, max: DOMAIN - 1 }),
  fc.tuple(fc.constantFrom(...BOUNDARIES), fc.integer({ min: -8, max: 8 })).map(([b, d]) => b + d),
  fc.integer({ min: 0, max: 40 }),
);
const setArb = fc.record({
  first: posArb,
  count: fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 1, max: CHUNK + 20 })),
  value: fc.oneof(fc.integer({ min: 1, max: 5 }), fc.constant(0xffffffff), fc.constant(0)),
});

function modelRuns(a: Uint32Array): Array<{ first: number; count: number }> {
  const out: Array<{ first: number; count: number }> = [];
  for (let s = 0; s < a.length; s++) {
    if (a[s] === 0) continue;
    const last = out[out.length - 1];
    if (last && last.first + last.count === s) last.count++;
    else out.push({ first: s, count: 1 });
  }
  return out;
}

describe('SectorMap', () => {
  it('get, copy and runs() agree with a flat array (runs maximal, in order, across chunk boundaries)', () => {
    fc.assert(
      fc.property(fc.array(setArb, { maxLength: 12 }), fc.array(posArb, { maxLength: 6 }), (sets, probes) => {
        const map = new SectorMap();
        const model = new Uint32Array(DOMAIN + CHUNK + 64);
        for (const { first, count, value } of sets) {
          const s = Math.max(0, first);
          const n = Math.min(count, DOMAIN - s);
          if (n <= 0) continue;
          map.setRange(s, n, value);
          model.fill(value, s, s + n);
        }
        expect([...map.runs()]).toEqual(modelRuns(model));
        for (const p of probes) {
          const s = Math.max(0, p);
          expect(map.get(s)).toBe(model[s]);
          const out = new Uint32Array(20);
          map.copy(s, 20, out);
          expect([...out]).toEqual([...model.subarray(s, s + 20)]);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('adjacent ranges with different values are one run; a gap splits runs', () => {
    const map = new SectorMap();
    map.setRange(CHUNK - 3, 3, 7);
    map.setRange(CHUNK, 2, 9); // across a chunk boundary, a different value
    map.setRange(CHUNK + 5, 1, 1);
    expect([...map.runs()]).toEqual([
      { first: CHUNK - 3, count: 5 },
      { first: CHUNK + 5, count: 1 },
    ]);
  });

  it('memory follows the footprint, not the disk size', () => {
    const map = new SectorMap();
    map.setRange(0, 1, 1);
    const one = map.bytes;
    expect(one).toBeGreaterThan(0);
    map.setRange(2 ** 40 / 512, 1, 1); // a sector 1 TiB into the disk
    expect(map.bytes).toBe(2 * one);
    expect([...map.runs()]).toEqual([
      { first: 0, count: 1 },
      { first: 2 ** 31, count: 1 },
    ]);
  });

  it('an empty map has no runs and holds no chunks', () => {
    const map = new SectorMap();
    expect([...map.runs()]).toEqual([]);
    expect(map.get(123456789)).toBe(0);
    expect(map.bytes).toBe(0);
  });
});
