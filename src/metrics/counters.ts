/** Combine two nested objects of numeric counters field by field; non-numbers come from `a`. */
export function zipCounters<T>(a: T, b: T, f: (x: number, y: number) => number): T {
  if (typeof a === 'number' && typeof b === 'number') return f(a, b) as T;
  if (a && typeof a === 'object' && !Array.isArray(a)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(a)) out[k] = zipCounters(v, (b as Record<string, unknown>)[k], f);
    return out as T;
  }
  return a;
}

export const diffCounters = <T>(after: T, before: T): T => zipCounters(after, before, (x, y) => x - y);
export const sumCounters = <T>(a: T, b: T): T => zipCounters(a, b, (x, y) => x + y);

/** A deep copy of a counters object. */
export function snapshot<T>(x: T): T {
  return structuredClone(x);
}
