/**
 * Section 4: latency percentiles of every run, one chart per workload and op. Runs stand side
 * by side on the x axis (grouped by policy, cache sizes ascending), p50..p99.9 on a log axis.
 */
import { OPS } from '../../metrics/phase.js';
import type { ReportRun } from '../report-inputs.js';
import { duration, durationTick } from '../report-format.js';
import { runLabel, type WorkloadGroup } from '../report-model.js';
import { esc } from '../svg/escape.js';
import { CHART_WIDTH, lineChart, plotBox, type ChartSeries } from '../svg/line-chart.js';
import type { SeriesStyle } from '../svg/palette.js';
import { categoryScale, log10Scale } from '../svg/scale.js';
import { figure } from './figure.js';

export const PERCENTILES = [
  { key: 'p50', label: 'p50' },
  { key: 'p90', label: 'p90' },
  { key: 'p99', label: 'p99' },
  { key: 'p999', label: 'p99.9' },
] as const;

/** Light to dark blue (ordered by lightness, so readable without hue) with distinct markers. */
const PERCENTILE_STYLES: SeriesStyle[] = [
  { colour: '#9ECAE1', marker: 'circle', dash: '' },
  { colour: '#4292C6', marker: 'square', dash: '' },
  { colour: '#08519C', marker: 'triangle', dash: '' },
  { colour: '#08306B', marker: 'diamond', dash: '4 2' },
];

/**
 * A percentile as it should read: the recorder's histogram floors at 1 ns, so under virtual
 * time (where a request that needs no I/O completes at the same instant) 1 ns means 0.
 */
function latencyOf(r: ReportRun, v: number): number {
  return r.results.timing === 'virtual' && v <= 1 ? 0 : v;
}

/** Runs in chart order: policy groups in order of appearance, sizes ascending within each. */
function ordered(g: WorkloadGroup): ReportRun[] {
  return g.policies.flatMap((p) => g.runs.filter((r) => r.policy === p).sort((a, b) => a.size - b.size));
}

/**
 * Wall-clock and virtual latencies measure different things (the OS vs the deterministic
 * scheduler's latency model): charts never mix them; each says which it is.
 */
export function latencyCharts(g: WorkloadGroup, multi: boolean): string[] {
  const all = ordered(g);
  const kinds = [...new Set(all.map((r) => r.results.timing))];
  return kinds.flatMap((kind) => latencyChartsOf(g, all.filter((r) => r.results.timing === kind), kind, multi, kinds.length > 1));
}

function latencyChartsOf(g: WorkloadGroup, runs: ReportRun[], kind: string, multi: boolean, split: boolean): string[] {
  const out: string[] = [];
  const kindText = kind === 'virtual' ? 'virtual time' : 'wall-clock';
  for (const op of OPS) {
    if (!runs.some((r) => (r.results.total.ops[op]?.ops ?? 0) > 0)) continue;
    const width = Math.max(CHART_WIDTH, 200 + runs.length * 22);
    const labels = PERCENTILES.map((p) => p.label);
    const box = plotBox(labels, { groups: true, denseX: runs.length > 20, width });
    const x = categoryScale(runs.map((r) => String(r.size)), [box.left, box.right]);
    const values = runs.flatMap((r) => {
      const m = r.results.total.ops[op];
      return m && m.ops > 0 ? PERCENTILES.map((p) => latencyOf(r, m.latency[p.key])).filter((v) => v > 0) : [];
    });
    const zeros = runs.flatMap((r) => {
      const m = r.results.total.ops[op];
      return m && m.ops > 0 ? PERCENTILES.filter((p) => latencyOf(r, m.latency[p.key]) === 0).map((p) => `${runLabel(r)} ${p.label}`) : [];
    });
    if (!values.length) {
      out.push(`<p class="note">${esc(op)} latency (${kindText}) is 0 ns at every percentile in every run: the requests completed without waiting.</p>`);
      continue;
    }
    const y = log10Scale(Math.min(...values), Math.max(...values), [box.bottom, box.top], durationTick);
    const starts = new Set<number>();
    const xGroups: Array<{ from: number; to: number; label: string }> = [];
    runs.forEach((r, i) => {
      const last = xGroups[xGroups.length - 1];
      if (last && runs[i - 1].policy === r.policy) last.to = i;
      else {
        if (i > 0) starts.add(i);
        xGroups.push({ from: i, to: i, label: r.policy });
      }
    });
    const series: ChartSeries[] = PERCENTILES.map((p, k) => {
      const points = runs.flatMap((r, i) => {
        const m = r.results.total.ops[op];
        const v = m && m.ops > 0 ? latencyOf(r, m.latency[p.key]) : 0;
        return v > 0 ? [{ x: i, y: v, title: `${runLabel(r)}: ${op} ${p.label} ${duration(v)} (${m.ops} ops)` }] : [];
      });
      // A run without this op leaves a gap rather than a line across it.
      const breaks = new Set<number>();
      points.forEach((pt, j) => {
        if (j > 0 && (starts.has(pt.x) || pt.x !== points[j - 1].x + 1)) breaks.add(j);
      });
      return { name: p.label, style: PERCENTILE_STYLES[k], points, kind: 'line', breakBefore: breaks };
    });
    const virtual = runs.some((r) => r.results.timing === 'virtual');
    const title = `${op} latency percentiles per run${multi ? `: ${g.name}` : ''}`;
    const svg = lineChart({
      id: `latency-${op}${split ? `-${kind}` : ''}`,
      title: `${title} (${kindText})`,
      xLabel: 'run: cache size (L2 tables), grouped by policy',
      yLabel: `${op} latency (log scale)`,
      x,
      y,
      series,
      xGroups,
      denseX: runs.length > 20,
      width,
    });
    const zeroNote = zeros.length ? ` Percentiles of exactly 0 ns (${esc(zeros.slice(0, 4).join(', '))}${zeros.length > 4 ? ', ...' : ''}) are 0, not drawn: a log axis has no 0.` : '';
    out.push(figure(svg, `${multi ? `<b>${esc(g.name)}</b>. ` : ''}Completion latency of ${esc(op)} requests over the whole run (<code>total.ops.${esc(op)}.latency</code>), from an HDR histogram; ${virtual ? 'virtual time: the deterministic scheduler\'s latency model, not measured' : 'wall-clock: measured'}.${zeroNote}`));
  }
  return out;
}

/** The same numbers as a table, for reading exact values (folded by default; works without JS). */
export function latencyTable(runs: ReportRun[]): string {
  const rows: string[] = [];
  for (const r of runs) {
    for (const op of OPS) {
      const m = r.results.total.ops[op];
      if (!m || m.ops === 0) continue;
      const cells = [r.workload, String(r.size), r.policy, r.results.timing === 'virtual' ? 'virtual' : 'wall-clock', op, String(m.ops), ...PERCENTILES.map((p) => duration(latencyOf(r, m.latency[p.key]))), duration(m.latency.maxNs)];
      rows.push(`<tr>${cells.map((c, i) => `<td${i >= 5 ? ' class="num"' : ''}>${esc(c)}</td>`).join('')}</tr>`);
    }
  }
  const head = ['workload', 'cache size', 'policy', 'timing', 'op', 'ops', ...PERCENTILES.map((p) => p.label), 'max'];
  return `<details><summary>Latency table (${rows.length} rows)</summary><table class="data"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table></details>`;
}
