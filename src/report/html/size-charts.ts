/** Sections 1-3: one line per policy over cache size (log-2 axis), per workload. */
import type { ReportRun } from '../report-inputs.js';
import { fixed, pct } from '../report-format.js';
import { cell, type WorkloadGroup } from '../report-model.js';
import { esc } from '../svg/escape.js';
import { lineChart, plotBox, type ChartSeries } from '../svg/line-chart.js';
import { seriesStyle } from '../svg/palette.js';
import { linearScale, log2Scale } from '../svg/scale.js';
import { figure } from './figure.js';

interface SizeMetric {
  id: string;
  title: string;
  yLabel: string;
  value: (r: ReportRun) => number | null;
  format: (v: number) => string;
  /** Axis tick labels (default: the number as is). */
  tick?: (v: number) => string;
  /** Fixed y range (ratios), else 0..max. */
  domain?: [number, number];
  integer?: boolean;
  note: string;
}

export const SIZE_METRICS: SizeMetric[] = [
  {
    id: 'hit-rate',
    title: 'Hit rate vs cache size',
    yLabel: 'hit rate',
    value: (r) => r.results.total.hitRate,
    format: (v) => pct(v, 1),
    tick: (v) => pct(v, 0),
    domain: [0, 1],
    note: 'Cache hits ÷ lookups over the whole run (<code>total.hitRate</code>). Higher is better.',
  },
  {
    id: 'metadata-reads',
    title: 'Metadata reads per 1000 requests vs cache size',
    yLabel: 'metadata reads / 1000 requests',
    value: (r) => r.results.total.metadataReadsPer1000,
    format: (v) => fixed(v, 1),
    note: 'Header, L1 and L2 table reads per 1000 requests (<code>total.metadataReadsPer1000</code>). Lower is better.',
  },
  {
    id: 'peak-over-capacity',
    title: 'Peak over capacity vs cache size',
    yLabel: 'tables past capacity (peak)',
    value: (r) => r.results.total.peakOverCapacity,
    format: (v) => String(v),
    integer: true,
    note: 'Most tables cached past capacity at once: in-use entries a safe policy could not evict (<code>total.peakOverCapacity</code>).',
  },
];

/** The chart of one metric for one workload: a series per policy, a point per cache size. */
export function sizeChart(m: SizeMetric, g: WorkloadGroup, colourOf: (policy: string) => number, multi: boolean): string {
  const series: ChartSeries[] = [];
  for (const policy of g.policies) {
    const points = g.sizes.flatMap((size) => {
      const r = cell(g, size, policy);
      const v = r ? m.value(r) : null;
      return r && v !== null && Number.isFinite(v) ? [{ x: size, y: v, title: `${policy}, ${size} tables: ${m.format(v)} ${m.yLabel}` }] : [];
    });
    // Lines that coincide hide each other: the legend says which equals which.
    const same = series.find((s) => s.points.length === points.length && s.points.every((p, i) => p.x === points[i].x && p.y === points[i].y));
    series.push({ name: policy, style: seriesStyle(colourOf(policy)), points, kind: 'line', legend: same ? `${policy} = ${same.name}` : undefined });
  }
  const values = series.flatMap((s) => s.points.map((p) => p.y));
  // A panel of zeros says one thing: say it in a sentence instead of drawing an empty chart.
  if (values.length && !m.domain && values.every((v) => v === 0)) {
    return `<p class="note"><b>${esc(multi ? `${m.title}: ${g.name}` : m.title)}</b>: 0 in every run (${values.length} run${values.length === 1 ? '' : 's'}, ${g.policies.length} polic${g.policies.length === 1 ? 'y' : 'ies'}). ${m.note}</p>`;
  }
  const box = plotBox(series.map((s) => s.legend ?? s.name));
  const [lo, hi] = m.domain ?? [0, Math.max(m.integer ? 1 : 0, ...values)];
  const y = linearScale(lo, hi, [box.bottom, box.top], m.tick, m.integer ? 1 : 0);
  const x = log2Scale(g.sizes[0], g.sizes[g.sizes.length - 1], [box.left, box.right], g.sizes);
  const title = multi ? `${m.title}: ${g.name}` : m.title;
  const svg = lineChart({ id: m.id, title, xLabel: 'cache size (L2 tables, log₂ scale)', yLabel: m.yLabel, x, y, series });
  return figure(svg, `${multi ? `<b>${esc(g.name)}</b>. ` : ''}${m.note}`);
}
