/** remainder() against BigInt's exact `%` over the inputs it promises to be exact for. */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { remainder } from '../../src/util/remainder.js';

const exact = (x: number, d: number): number => Number(BigInt(x) % BigInt(d));

it('is exact for a power-of-two divisor and any safe integer', () => {
  fc.assert(
    fc.property(fc.maxSafeNat(), fc.integer({ min: 0, max: 52 }), (x, k) => {
      expect(remainder(x, 2 ** k)).toBe(exact(x, 2 ** k));
    }),
    { numRuns: 5000 },
  );
});

it('is exact for any divisor when both are at most 2^32', () => {
  const upTo32 = fc.oneof(fc.integer({ min: 0, max: 2 ** 32 }), fc.constantFrom(2 ** 32, 2 ** 32 - 1, 2 ** 31, 2 ** 31 + 1));
  fc.assert(
    fc.property(upTo32, upTo32.filter((d) => d >= 1), (x, d) => {
      expect(remainder(x, d)).toBe(exact(x, d));
    }),
    { numRuns: 20000 },
  );
});
