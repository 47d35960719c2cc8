/** Summaries of repeated timing samples, shared by the bench scripts. */

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(xs: readonly number[]): Spread {
  return { median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

export function fmtInt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-';
}

/** Nanoseconds since `t0` (from process.hrtime.bigint()). */
export function elapsedNs(t0: bigint): number {
  return Number(process.hrtime.bigint() - t0);
}

/** Operations per second of `ops` done in `ns` nanoseconds. */
export function opsPerSec(ops: number, ns: number): number {
  return ops / (ns / 1e9);
}

/**
 * The order of `items` for repetition `rep`: rotated by one each repetition so no variant is
 * always first (warm caches, quiet neighbours) or always last.
 */
export function rotation<T>(items: readonly T[], rep: number): T[] {
  return items.map((_, i) => items[(i + rep) % items.length]);
}
