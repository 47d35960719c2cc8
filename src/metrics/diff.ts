/**
 * The deep diff of two results (or parts of them): which leaves differ, by dotted path. Used by
 * `run --repeat` (counters that differ between repeats) and bench:ci (a run against its baseline).
 */

export interface LeafDifference {
  /** Dotted path, e.g. `total.cache.loads`; `<path>.length` when two arrays differ in length. */
  path: string;
  a: unknown;
  b: unknown;
}

export interface DiffOptions {
  /**
   * `both` (default): keys of either side; `a`: only keys `a` has, so a field added to newer
   * results does not count against an older baseline (a field `b` lost still shows as undefined).
   */
  keys?: 'both' | 'a';
  /** Stop after this many differences (a big change would otherwise list thousands). */
  limit?: number;
}

/** Leaves that differ between `a` and `b`, in `a`'s key order; values equal as JSON are equal. */
export function differingLeaves(a: unknown, b: unknown, opts: DiffOptions = {}): LeafDifference[] {
  const limit = opts.limit ?? Infinity;
  const out: LeafDifference[] = [];
  const walk = (x: unknown, y: unknown, path: string): void => {
    if (out.length >= limit) return;
    if (x !== null && typeof x === 'object' && y !== null && typeof y === 'object' && Array.isArray(x) === Array.isArray(y)) {
      if (Array.isArray(x) && x.length !== (y as unknown[]).length) out.push({ path: `${path}.length`, a: x.length, b: (y as unknown[]).length });
      const keys = opts.keys === 'a' ? Object.keys(x) : [...new Set([...Object.keys(x), ...Object.keys(y)])];
      for (const k of keys) walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      return;
    }
    if (!Object.is(x, y) && JSON.stringify(x) !== JSON.stringify(y)) out.push({ path, a: x, b: y });
  };
  walk(a, b, '');
  return out;
}
