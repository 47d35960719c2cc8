/** SVG line charts for the HTML report (axes, series, legend). */
import { esc } from './escape.js';
import { fx, marker } from './marker.js';
import type { SeriesStyle } from './palette.js';
import type { Scale } from './scale.js';

export interface ChartPoint {
  x: number;
  y: number;
  /** Tooltip (SVG <title>): plain text, escaped here. */
  title: string;
}

export interface ChartSeries {
  name: string;
  style: SeriesStyle;
  points: ChartPoint[];
  /** 'line' joins the points (a gap where `breakBefore` says), 'markers' draws points only. */
  kind: 'line' | 'markers' | 'line-only';
  /** Point indices that start a new segment (no line from the previous point). */
  breakBefore?: Set<number>;
  /** Marker radius (default 3.5). */
  markerSize?: number;
  /** Transparent markers that show on hover: tooltips on a dense series without clutter. */
  hoverMarkers?: boolean;
  /** Legend text when it should say more than the name ("sieve = fifo"). */
  legend?: string;
}

export interface ChartSpec {
  /** Names the chart for tests and tooltips: data-chart="...". */
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  /** Scales are built by the caller over the plot box this function reports (see plotBox). */
  x: Scale;
  y: Scale;
  series: ChartSeries[];
  /** Horizontal reference lines (capacity), dashed, labelled at the right end. */
  hLines?: Array<{ y: number; label: string }>;
  /** Vertical markers (phase starts), dotted, labelled at the top. */
  vLines?: Array<{ x: number; label: string }>;
  /** Labels under the x tick labels spanning runs of ticks (policy groups of a categorical axis). */
  xGroups?: Array<{ from: number; to: number; label: string }>;
  /** Smaller x tick labels (many categorical ticks). */
  denseX?: boolean;
  /** viewBox width (default CHART_WIDTH): wide for many categories. */
  width?: number;
}

export const CHART_WIDTH = 640;
export const CHART_HEIGHT = 340;
const LEGEND_CHAR_PX = 6.6;

/** Where the plot area lies for a chart with these legend labels (the legend sits on the right). */
export function plotBox(legendLabels: string[], opts: { groups?: boolean; denseX?: boolean; width?: number } = {}): { left: number; right: number; top: number; bottom: number } {
  const longest = Math.min(24, Math.max(0, ...legendLabels.map((l) => l.length)));
  const legend = legendLabels.length ? Math.max(90, 34 + longest * LEGEND_CHAR_PX) : 12;
  const bottom = CHART_HEIGHT - 46 - (opts.groups ? 16 : 0) - (opts.denseX ? 10 : 0);
  return { left: 66, right: (opts.width ?? CHART_WIDTH) - legend - 8, top: 14, bottom };
}

/** A complete <svg> line/marker chart: grid, axes with titles, series, reference lines, legend. */
export function lineChart(c: ChartSpec): string {
  const box = plotBox(c.series.map((s) => s.legend ?? s.name), { groups: !!c.xGroups?.length, denseX: c.denseX, width: c.width });
  const o: string[] = [];
  o.push(`<svg class="chart" data-chart="${esc(c.id)}" viewBox="0 0 ${c.width ?? CHART_WIDTH} ${CHART_HEIGHT}" style="max-width:${c.width ?? CHART_WIDTH}px" role="img" aria-label="${esc(c.title)}">`);
  o.push(`<title>${esc(c.title)}</title>`);
  o.push(axes(c, box));
  for (const v of c.vLines ?? []) {
    const x = c.x(v.x);
    o.push(`<g class="phase-line"><line x1="${x}" x2="${x}" y1="${box.top}" y2="${box.bottom}" stroke="#999" stroke-dasharray="2 3"/><text x="${fx(x + 3)}" y="${box.top + 10}" class="ref-label">${esc(v.label)}</text><title>${esc(v.label)}</title></g>`);
  }
  for (const s of c.series) o.push(seriesSvg(s, c));
  // Over the series: a line running along the capacity must not hide it.
  for (const h of c.hLines ?? []) {
    const y = c.y(h.y);
    o.push(`<g class="ref-line"><line x1="${box.left}" x2="${box.right}" y1="${y}" y2="${y}" stroke="#444" stroke-width="1.2" stroke-dasharray="7 4" pointer-events="none"/><text x="${box.right - 4}" y="${fx(y - 5)}" text-anchor="end" class="ref-label">${esc(h.label)}</text><title>${esc(h.label)}</title></g>`);
  }
  o.push(legend(c.series, box));
  o.push('</svg>');
  return o.join('\n');
}

function axes(c: ChartSpec, box: ReturnType<typeof plotBox>): string {
  const o: string[] = ['<g class="axes">'];
  for (const t of c.y.ticks) {
    const y = c.y(t);
    o.push(`<line class="grid" x1="${box.left}" x2="${box.right}" y1="${y}" y2="${y}"/>`);
    o.push(`<text class="tick" x="${box.left - 6}" y="${fx(y + 4)}" text-anchor="end">${esc(c.y.format(t))}</text>`);
  }
  for (const t of c.x.ticks) {
    const x = c.x(t);
    o.push(`<line class="grid" x1="${x}" x2="${x}" y1="${box.top}" y2="${box.bottom}"/>`);
    o.push(c.denseX
      ? `<text class="tick" x="${x}" y="${box.bottom + 14}" text-anchor="middle" font-size="9">${esc(c.x.format(t))}</text>`
      : `<text class="tick" x="${x}" y="${box.bottom + 16}" text-anchor="middle">${esc(c.x.format(t))}</text>`);
  }
  let labelY = box.bottom + 36;
  // A group's label may use its share of the axis, not only its line: a one-run group's 12 px cut "fifo" to "fi…".
  const tickGap = c.xGroups?.length ? Math.abs(c.x(1) - c.x(0)) || 0 : 0;
  for (const g of c.xGroups ?? []) {
    const a = c.x(g.from) - 6;
    const b = c.x(g.to) + 6;
    const room = Math.max(b - a, b - a - 12 + tickGap - 4);
    o.push(`<g class="x-group"><line x1="${fx(a)}" x2="${fx(b)}" y1="${box.bottom + 22}" y2="${box.bottom + 22}" stroke="#888"/><text x="${fx((a + b) / 2)}" y="${box.bottom + 34}" text-anchor="middle" class="group-label">${esc(fit(g.label, room / 6))}</text><title>${esc(g.label)}</title></g>`);
  }
  if (c.xGroups?.length) labelY += 14;
  o.push(`<line class="axis" x1="${box.left}" x2="${box.right}" y1="${box.bottom}" y2="${box.bottom}"/>`);
  o.push(`<line class="axis" x1="${box.left}" x2="${box.left}" y1="${box.top}" y2="${box.bottom}"/>`);
  o.push(`<text class="axis-title" x="${fx((box.left + box.right) / 2)}" y="${fx(Math.min(CHART_HEIGHT - 6, labelY))}" text-anchor="middle">${esc(c.xLabel)}</text>`);
  const my = fx((box.top + box.bottom) / 2);
  o.push(`<text class="axis-title" x="16" y="${my}" text-anchor="middle" transform="rotate(-90 16 ${my})">${esc(c.yLabel)}</text>`);
  o.push('</g>');
  return o.join('\n');
}

function seriesSvg(s: ChartSeries, c: ChartSpec): string {
  const st = s.style;
  const o: string[] = [`<g class="series" data-series="${esc(s.name)}" data-points="${s.points.length}">`];
  if (s.kind !== 'markers' && s.points.length) {
    const d = s.points.map((p, i) => `${i === 0 || s.breakBefore?.has(i) ? 'M' : 'L'}${c.x(p.x)} ${c.y(p.y)}`).join('');
    o.push(`<path class="line" d="${d}" fill="none" stroke="${st.colour}" stroke-width="2"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''}><title>${esc(s.name)}</title></path>`);
  }
  if (s.kind !== 'line-only') {
    for (const p of s.points) {
      const look = s.hoverMarkers ? `class="point hover" fill="${st.colour}"` : `class="point" fill="${st.colour}" stroke="#fff" stroke-width="0.8"`;
      o.push(marker(st.marker, c.x(p.x), c.y(p.y), look, `<title>${esc(p.title)}</title>`, s.markerSize));
    }
  }
  o.push('</g>');
  return o.join('\n');
}

function legend(series: ChartSeries[], box: ReturnType<typeof plotBox>): string {
  if (!series.length) return '';
  const x = box.right + 16;
  const o: string[] = ['<g class="legend">'];
  series.forEach((s, i) => {
    const y = box.top + 8 + i * 18;
    const st = s.style;
    o.push(`<g class="legend-item"><title>${esc(s.legend ?? s.name)}</title>`);
    if (s.kind !== 'markers') o.push(`<line x1="${x}" x2="${x + 22}" y1="${y}" y2="${y}" stroke="${st.colour}" stroke-width="2"${st.dash ? ` stroke-dasharray="${st.dash}"` : ''}/>`);
    if (s.kind !== 'line-only') o.push(marker(st.marker, x + 11, y, `fill="${st.colour}" stroke="#fff" stroke-width="0.8"`, ''));
    o.push(`<text x="${x + 28}" y="${y + 4}">${esc(fit(s.legend ?? s.name, 24))}</text></g>`);
  });
  o.push('</g>');
  return o.join('\n');
}

/** Shortens a label to `n` characters with an ellipsis (the full text is in the <title>). */
function fit(s: string, n: number): string {
  const max = Math.max(3, Math.floor(n));
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
