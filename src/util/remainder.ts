/** Integer remainders without a floating-point modulo: `%` on a number past 2^31 is a call into C in V8. */

/**
 * `x % d` for integers x >= 0, d >= 1, as a division, a floor and a multiply (about 4-8 ns against
 * 20-50 for `%` past 2^31; a few per request on the replay's hot path). Exact when d is a power
 * of two (the division only moves the exponent), or when x and d are at most 2^32 (x / d then
 * rounds by less than the 1/d that separates a quotient just under an integer from it).
 */
export function remainder(x: number, d: number): number {
  return x - Math.floor(x / d) * d;
}
