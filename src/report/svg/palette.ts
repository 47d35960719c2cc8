/**
 * Okabe and Ito's colour-blind-safe palette (yellow last: weak on white), with a marker shape
 * and, past eight series, a dash pattern, so series stay apart without colour too.
 */
const COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#000000', '#F0E442'];
const MARKERS = ['circle', 'square', 'triangle', 'diamond'] as const;
const DASHES = ['', '6 3', '2 3'];

export type Marker = (typeof MARKERS)[number];

export interface SeriesStyle {
  colour: string;
  marker: Marker;
  /** stroke-dasharray, '' for solid. */
  dash: string;
}

export function seriesStyle(index: number): SeriesStyle {
  return {
    colour: COLOURS[index % COLOURS.length],
    marker: MARKERS[index % MARKERS.length],
    dash: DASHES[Math.floor(index / COLOURS.length) % DASHES.length],
  };
}

/** Verdict colours: blue for passed, vermillion for failed (not red/green), grey for skipped. */
export const VERDICT_COLOURS = { passed: '#0072B2', failed: '#D55E00', skipped: '#767676' } as const;
