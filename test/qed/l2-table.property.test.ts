/** L2Table reads and writes the on-disk little-endian entries in place, as decodeTable reads them. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { L2Table } from '../../src/qed/l2-table.js';
import { decodeTable, encodeEntries } from '../../src/qed/table.js';

describe('L2Table', () => {
  it('entries set in place read back, decode as the on-disk table, and slices share the bytes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 63 }), fc.maxSafeNat()), { minLength: 1, maxLength: 40 }),
        (sets) => {
          const t = new L2Table(64 * 8);
          const want = new Float64Array(64);
          for (const [i, v] of sets) {
            t.set(i, v);
            want[i] = v;
          }
          for (let i = 0; i < 64; i++) expect(t.get(i)).toBe(want[i]);
          expect(Array.from(decodeTable(t.bytes))).toEqual(Array.from(want));
          expect(Array.from(t.decoded())).toEqual(Array.from(want));
          const [i] = sets[0];
          expect(Buffer.compare(t.slice(i, 1), encodeEntries(want, i, 1))).toBe(0);
          t.slice(i, 1).fill(0);
          expect(t.get(i)).toBe(0);
        },
      ),
    );
  });
});
