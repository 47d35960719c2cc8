/**
 * Section 5: cache entries over time for one run, phases end to end (each phase's time series
 * starts at 0, so later phases are shifted by the durations before them), capacity dashed.
 */
import type { ReportRun } from '../report-inputs.js';
import { runLabel } from '../report-model.js';
import { esc } from '../svg/escape.js';
import { lineChart, plotBox } from '../svg/line-chart.js';
import { seriesStyle } from '../svg/palette.js';
import { linearScale } from '../svg/scale.js';
import { emptyNote, figure } from './figure.js';

export function entriesChart(run: ReportRun, why: string, colour: number): string {
  const r = run.results;
  const capacity = r.workload.cache.size;
  const points: Array<{ x: number; y: number; title: string }> = [];
  const vLines: Array<{ x: number; label: string }> = [];
  let offset = 0;
  for (const p of r.phases) {
    if (r.phases.length > 1) vLines.push({ x: offset, label: p.name });
    for (const t of p.timeSeries) {
      points.push({ x: offset + t.t, y: t.cacheEntries, title: `${p.name}, t=${(offset + t.t).toFixed(1)} ms: ${t.cacheEntries} entries (capacity ${capacity})` });
    }
    offset += p.durationMs;
  }
  const caption = `<b>${esc(runLabel(run))}</b>: ${esc(why)}. Peak ${r.total.peakEntries} entries, ${r.total.peakOverCapacity} past capacity; samples may miss the exact peak (<code>phases[].timeSeries[].cacheEntries</code>).`;
  if (!points.length) return emptyNote(`${caption} This run has no time series samples.`);
  const name = 'cache entries';
  const width = 1100; // a full-width section: time deserves the room
  const box = plotBox([name], { width });
  const x = linearScale(0, Math.max(offset, ...points.map((p) => p.x)), [box.left, box.right]);
  const y = linearScale(0, Math.max(capacity, r.total.peakEntries, ...points.map((p) => p.y)) * 1.08, [box.bottom, box.top], undefined, 1);
  const svg = lineChart({
    id: 'entries-over-time',
    title: `Cache entries over time: ${runLabel(run)}`,
    xLabel: `time since the replay started (ms${r.timing === 'virtual' ? ', virtual' : ''})`,
    yLabel: 'cache entries (L2 tables)',
    x,
    y,
    series: [{ name, style: seriesStyle(colour), points, kind: 'line', markerSize: 3, hoverMarkers: true }],
    hLines: [{ y: capacity, label: `capacity ${capacity}` }],
    vLines,
    width,
  });
  return figure(svg, caption);
}
