import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SECTOR, readSector, stampBuffer, wordsOf } from '../../src/replay/stamp.js';

/** Sector-aligned virtual offsets, including ones past 2^32 sectors (the high index word). */
const sectorArb = fc.oneof(fc.integer({ min: 0, max: 1 << 20 }), fc.integer({ min: 2 ** 32 - 4, max: 2 ** 33 }));
const seqArb = fc.integer({ min: 1, max: 0x7ffffffe });
const seedArb = fc.integer({ min: 0, max: 0xffffffff });

function stamped(sector: number, sectors: number, seq: number, seed: number): Uint8Array {
  const buf = new Uint8Array(sectors * SECTOR);
  stampBuffer(buf, sector * SECTOR, seq, seed);
  return buf;
}

describe('stamps', () => {
  it('every stamped sector reads back as its write, at its own index and seed', () => {
    fc.assert(
      fc.property(sectorArb, fc.integer({ min: 1, max: 8 }), seqArb, seedArb, (sector, n, seq, seed) => {
        const words = wordsOf(stamped(sector, n, seq, seed));
        for (let s = 0; s < n; s++) expect(readSector(words, s, sector + s, seed)).toEqual({ kind: 'stamp', seq });
      }),
    );
  });

  it('a sector read at another index (misplaced) or under another seed is garbage, not a stamp', () => {
    fc.assert(
      fc.property(sectorArb, seqArb, seedArb, fc.integer({ min: 1, max: 1000 }), (sector, seq, seed, delta) => {
        const words = wordsOf(stamped(sector, 1, seq, seed));
        expect(readSector(words, 0, sector + delta, seed)).toEqual({ kind: 'garbage' });
        expect(readSector(words, 0, sector, (seed + delta) >>> 0)).toEqual({ kind: 'garbage' });
      }),
    );
  });

  it('a single flipped byte anywhere in a stamped sector makes it garbage; its neighbours stay intact', () => {
    fc.assert(
      fc.property(
        sectorArb,
        fc.integer({ min: 1, max: 4 }),
        seqArb,
        seedArb,
        fc.nat(),
        fc.integer({ min: 0, max: SECTOR - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (sector, n, seq, seed, pick, byte, mask) => {
          const buf = stamped(sector, n, seq, seed);
          const hit = pick % n;
          buf[hit * SECTOR + byte] ^= mask;
          const words = wordsOf(buf);
          for (let s = 0; s < n; s++) {
            expect(readSector(words, s, sector + s, seed)).toEqual(s === hit ? { kind: 'garbage' } : { kind: 'stamp', seq });
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a flip at every byte position of a sector is caught (exhaustive over one sector)', () => {
    for (let byte = 0; byte < SECTOR; byte++) {
      const buf = stamped(12345, 1, 77, 0xdeadbeef);
      buf[byte] ^= 0x01;
      expect(readSector(wordsOf(buf), 0, 12345, 0xdeadbeef), `flipped byte ${byte}`).toEqual({ kind: 'garbage' });
    }
  });

  it('zeros read as zeros; one non-zero byte in a zero sector is garbage', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: SECTOR - 1 }), fc.integer({ min: 1, max: 255 }), (byte, v) => {
        const buf = new Uint8Array(SECTOR);
        expect(readSector(wordsOf(buf), 0, 0, 1)).toEqual({ kind: 'zeros' });
        buf[byte] = v;
        expect(readSector(wordsOf(buf), 0, 0, 1)).toEqual({ kind: 'garbage' });
      }),
    );
  });
});
