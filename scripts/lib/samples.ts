/** Summaries of repeated timing samples, shared by the bench scripts. */
import { median } from '../../src/report/compare/stats.js';

export { median };

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
