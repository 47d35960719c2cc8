/** Remainders by powers of two for offsets past 2^31, without a floating-point modulo. */

/**
 * `x % d` for an integer `x >= 0` and a power of two `d`: exact (dividing by a power of two only
 * moves the exponent), and a division, a floor and a multiply, where `%` on a number past 2^31
 * is a call into C in V8 (about 20-50 ns against 4-8; a few per request on the replay's hot path).
 */
export function modPow2(x: number, d: number): number {
  return x - Math.floor(x / d) * d;
}

export function isPow2(d: number): boolean {
  return Number.isSafeInteger(d) && d > 0 && 2 ** Math.round(Math.log2(d)) === d;
}
