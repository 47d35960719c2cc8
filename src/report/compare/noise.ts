/**
 * Counters of real-timing runs are samples: the order real I/O completes decides every hit and
 * eviction, so two runs of one workload differ a little. The band within which a change is noise:
 * measured from `run --repeat N` samples when both sides have them, else a fixed relative tolerance.
 */
import type { RepeatedResults } from '../../metrics/repeats.js';
import { mean } from './stats.js';
import type { CounterMetric } from './metrics.js';

/** Without repeats: a change within 2% of the baseline (and the floor below) is noise. */
export const SAMPLE_TOLERANCE = 0.02;

/** The smallest band per kind, so 0 → 1 over capacity or 0.1 pp of hit rate is not a regression. */
const FLOOR: Record<CounterMetric['kind'], number> = { ratio: 0.005, rate: 0.5, count: 1 };

export interface NoiseBand {
  /** The values compared: the means of the repeats, or the single values. */
  baseline: number;
  current: number;
  /** The largest |current − baseline| that is noise. */
  allowed: number;
  /** For the row's note: "±0.62 pp, from 3+3 repeats" or "±2%". */
  text: string;
}

/** Whether a run's counters are samples (real timing) rather than exact (deterministic scheduler). */
export function countersAreSamples(r: RepeatedResults): boolean {
  return r.timing === 'wall-clock';
}

export function noiseBand(m: CounterMetric, b: RepeatedResults, c: RepeatedResults, bv: number, cv: number): NoiseBand {
  const bx = b.repeats?.counters?.[m.name];
  const cx = c.repeats?.counters?.[m.name];
  if (bx && cx && bx.length >= 2 && cx.length >= 2) {
    const range = Math.max(spread(bx), spread(cx));
    const bm = mean(bx);
    const allowed = Math.max(2 * range, 0.005 * Math.abs(bm), FLOOR[m.kind]);
    return { baseline: bm, current: mean(cx), allowed, text: `±${amount(m, allowed)}, twice the spread of ${bx.length}+${cx.length} repeats` };
  }
  const allowed = Math.max(SAMPLE_TOLERANCE * Math.abs(bv), FLOOR[m.kind]);
  return { baseline: bv, current: cv, allowed, text: `±${amount(m, allowed)}` };
}

/** How the samples note starts: the Markdown headline reads it to describe the default gate. */
export const SAMPLES_NOTE_START = 'wall-clock runs: ';

/** The one line compare prints when any compared run has sample counters. */
export function samplesNote(repeated: boolean): string {
  const how = repeated
    ? 'a change counts only beyond twice the spread of the repeats (at least 0.5%)'
    : `a change within ${SAMPLE_TOLERANCE * 100}% of the baseline is noise (run both sides with \`qed-bench run --repeat N\` to measure the band instead)`;
  return `${SAMPLES_NOTE_START}counters depend on the order real I/O completes, so they are gated as samples: ${how}; integrity counters and deterministic runs stay exact; a gate file's tolerance overrides this`;
}

function spread(xs: number[]): number {
  return Math.max(...xs) - Math.min(...xs);
}

function amount(m: CounterMetric, x: number): string {
  if (m.kind === 'ratio') return `${+(x * 100).toPrecision(3)} pp`;
  return m.kind === 'rate' ? x.toFixed(2) : String(+x.toPrecision(3));
}
