/** Number formats shared by the HTML and Markdown reports (one way to write each quantity). */

/** A ratio as a percentage; "n/a" when the run had no lookups (null or NaN in JSON). */
export function pct(x: number | null, digits = 2): string {
  return x === null || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(digits)}%`;
}

export function fixed(x: number | null, digits: number): string {
  return x === null || !Number.isFinite(x) ? 'n/a' : x.toFixed(digits);
}

/** Nanoseconds in the unit that keeps 1-3 digits before the point: 850 ns, 12.3 µs, 4.56 ms, 1.20 s. */
export function duration(ns: number): string {
  if (!Number.isFinite(ns)) return 'n/a';
  const [v, unit] = ns >= 1e9 ? [ns / 1e9, 's'] : ns >= 1e6 ? [ns / 1e6, 'ms'] : ns >= 1e3 ? [ns / 1e3, 'µs'] : [ns, 'ns'];
  const digits = unit === 'ns' || v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${unit}`;
}

/** Microseconds with one decimal, as `qed-bench run` prints latencies. */
export function micros(ns: number): string {
  return (ns / 1000).toFixed(1);
}

/** An axis tick in the same units, without trailing zeros: 1 ms, 200 µs, 10 ns. */
export function durationTick(ns: number): string {
  const [v, unit] = ns >= 1e9 ? [ns / 1e9, 's'] : ns >= 1e6 ? [ns / 1e6, 'ms'] : ns >= 1e3 ? [ns / 1e3, 'µs'] : [ns, 'ns'];
  return `${Number(v.toPrecision(3))} ${unit}`;
}
