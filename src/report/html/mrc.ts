/**
 * Section 7: the LRU miss-ratio curve of a workload's table-access stream, drawn as hit ratio
 * (1 − miss ratio) over cache size, with each policy's measured hit rates as points on it.
 */
import type { ReportRun } from '../report-inputs.js';
import { pct } from '../report-format.js';
import { runLabel, type WorkloadGroup } from '../report-model.js';
import { esc } from '../svg/escape.js';
import { lineChart, plotBox, type ChartSeries } from '../svg/line-chart.js';
import { seriesStyle, type SeriesStyle } from '../svg/palette.js';
import { linearScale, log2Scale } from '../svg/scale.js';
import { figure } from './figure.js';

const CURVE_STYLE: SeriesStyle = { colour: '#444444', marker: 'circle', dash: '' };
/** Past this many curve points the curve is drawn without per-point tooltips. */
const MAX_CURVE_MARKERS = 64;

/**
 * The run whose curve is drawn: an lru run if there is one (its stream is the one the curve
 * models), the largest cache among those, else the first run with a curve.
 */
export function curveRun(g: WorkloadGroup): ReportRun | undefined {
  const withCurve = g.runs.filter((r) => r.results.mrc);
  const lru = withCurve.filter((r) => r.policy === 'lru').sort((a, b) => b.size - a.size);
  return lru[0] ?? withCurve[0];
}

export function mrcChart(g: WorkloadGroup, colourOf: (policy: string) => number, multi: boolean): string | null {
  const from = curveRun(g);
  const mrc = from?.results.mrc;
  if (!from || !mrc) return null;
  const curvePoints = mrc.sizes.flatMap((s, i) => (s > 0 && Number.isFinite(mrc.missRatio[i]) ? [{ x: s, y: 1 - mrc.missRatio[i], title: `LRU, ${s} tables: ${pct(1 - mrc.missRatio[i], 1)} hit ratio` }] : []));
  const curveName = mrc.kind === 'exact' ? 'LRU curve (exact)' : `LRU curve (SHARDS ${mrc.sampleRate})`;
  const series: ChartSeries[] = [{ name: curveName, style: CURVE_STYLE, points: curvePoints, kind: curvePoints.length > MAX_CURVE_MARKERS ? 'line-only' : 'line', markerSize: 2 }];
  for (const policy of g.policies) {
    const points = g.runs
      .filter((r) => r.policy === policy && r.results.total.hitRate !== null && Number.isFinite(r.results.total.hitRate))
      .map((r) => ({ x: r.size, y: r.results.total.hitRate as number, title: `${policy}, ${r.size} tables: measured ${pct(r.results.total.hitRate, 1)} hit rate` }));
    series.push({ name: policy, style: seriesStyle(colourOf(policy)), points, kind: 'markers' });
  }
  const sizes = [...curvePoints.map((p) => p.x), ...g.sizes];
  const box = plotBox(series.map((s) => s.name));
  const x = log2Scale(Math.min(...sizes), Math.max(...sizes), [box.left, box.right]);
  const y = linearScale(0, 1, [box.bottom, box.top], (v) => pct(v, 0));
  const svg = lineChart({ id: 'mrc', title: `LRU hit ratio curve with measured policies${multi ? `: ${g.name}` : ''}`, xLabel: 'cache size (L2 tables, log₂ scale)', yLabel: 'hit ratio', x, y, series });
  const kind = mrc.kind === 'exact' ? 'exact' : `SHARDS-sampled at rate ${mrc.sampleRate}`;
  return figure(
    svg,
    `${multi ? `<b>${esc(g.name)}</b>. ` : ''}The line is what an LRU cache of each size would hit on the L2 table-access stream of <b>${esc(runLabel(from))}</b> (${esc(kind)}, ${mrc.lookups} lookups, ${mrc.distinctTables} distinct tables; <code>mrc</code>). Points are the hit rates each policy measured in its own replay: above the line beats LRU at that size.`,
  );
}
