/** Scales from data to pixels, and tick positions people can read. */
export interface Scale {
  (v: number): number;
  ticks: number[];
  format: (v: number) => string;
}

/** Linear scale over [lo, hi] widened to round ticks (about `count` of them). */
export function linearScale(lo: number, hi: number, range: [number, number], format: (v: number) => string = plain, minStep = 0, count = 5): Scale {
  if (!(hi > lo)) hi = lo + Math.max(1, minStep);
  const step = Math.max(minStep, niceStep((hi - lo) / count));
  const a = Math.floor(lo / step + 1e-9) * step;
  const b = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = a; v <= b + step * 1e-9; v += step) ticks.push(round(v, step));
  return make((v) => range[0] + ((v - a) / (b - a)) * (range[1] - range[0]), ticks, format);
}

/** Log-2 scale for cache sizes; ticks at the given values when few, else at powers of two. */
export function log2Scale(lo: number, hi: number, range: [number, number], tickAt: number[] = [], minGapPx = 30): Scale {
  const a = Math.log2(lo) - (hi > lo ? 0.15 : 1);
  const b = Math.log2(hi) + (hi > lo ? 0.15 : 1);
  const px = (v: number): number => range[0] + ((Math.log2(v) - a) / (b - a)) * (range[1] - range[0]);
  const powers: number[] = [];
  for (let e = Math.ceil(a); e <= Math.floor(b); e++) if (e >= 0) powers.push(2 ** e);
  const wanted = tickAt.length && tickAt.length <= 12 ? [...new Set(tickAt)].sort((x, y) => x - y) : powers;
  return make(px, spaced(wanted, px, minGapPx), plain);
}

/** Log-10 scale (latencies): ticks at 1, 2, 5 × powers of ten, thinned to fit. */
export function log10Scale(lo: number, hi: number, range: [number, number], format: (v: number) => string, minGapPx = 22): Scale {
  lo = Math.max(lo, 1e-9);
  if (!(hi > lo)) hi = lo * 10;
  const a = Math.floor(Math.log10(lo));
  const b = Math.ceil(Math.log10(hi));
  const px = (v: number): number => range[0] + ((Math.log10(Math.max(v, 10 ** a)) - a) / (b - a)) * (range[1] - range[0]);
  const decades: number[] = [];
  const all: number[] = [];
  for (let e = a; e <= b; e++) {
    decades.push(10 ** e);
    for (const m of [1, 2, 5]) if (m * 10 ** e <= 10 ** b) all.push(m * 10 ** e);
  }
  const fine = spaced(all, px, minGapPx);
  return make(px, fine.length === all.length ? all : spaced(decades, px, minGapPx), format);
}

/** Categories 0..labels.length-1 at equal steps, each tick labelled with its category. */
export function categoryScale(labels: string[], range: [number, number]): Scale {
  const n = Math.max(1, labels.length);
  const px = (i: number): number => range[0] + ((i + 0.5) / n) * (range[1] - range[0]);
  return make(px, labels.map((_, i) => i), (i) => labels[i] ?? '');
}

/** Keeps ticks at least `gap` pixels apart (greedy, from the smallest). */
function spaced(values: number[], px: (v: number) => number, gap: number): number[] {
  const out: number[] = [];
  for (const v of values) if (!out.length || Math.abs(px(v) - px(out[out.length - 1])) >= gap) out.push(v);
  return out;
}

function make(f: (v: number) => number, ticks: number[], format: (v: number) => string): Scale {
  return Object.assign((v: number) => Math.round(f(v) * 10) / 10, { ticks, format });
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
}

function round(v: number, step: number): number {
  const d = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(v.toFixed(d));
}

function plain(v: number): string {
  return String(Number(v.toPrecision(6)));
}
