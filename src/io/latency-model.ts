/** Virtual service times for the deterministic scheduler: constant, uniform, lognormal. */
import type { Rng } from '../util/random.js';

/** Virtual service time of one request, in microseconds. */
export type LatencyModel =
  | { kind: 'constant'; us: number }
  | { kind: 'uniform'; minUs: number; maxUs: number }
  /** Median and the σ of the underlying normal: a long right tail, as real devices have. */
  | { kind: 'lognormal'; medianUs: number; sigma: number };

export function sampleLatency(m: LatencyModel, rng: Rng): number {
  switch (m.kind) {
    case 'constant':
      return m.us;
    case 'uniform':
      return m.minUs + rng.float() * (m.maxUs - m.minUs);
    case 'lognormal': {
      // Box-Muller from two uniforms; the first is kept away from 0 for the log.
      const u = 1 - rng.float();
      const v = rng.float();
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      return m.medianUs * Math.exp(m.sigma * z);
    }
  }
}

/** Parse "constant:100us", "uniform:50us-2ms", "lognormal:200us:0.5" (durations: us, ms, s). */
export function parseLatencyModel(text: string): LatencyModel {
  const [kind, a, b] = text.split(':');
  const dur = (s: string | undefined): number => {
    const m = /^(\d+(?:\.\d+)?)(us|µs|ms|s)$/.exec(s ?? '');
    if (!m) throw new Error(`"${s ?? ''}" is not a duration like 100us, 2ms or 1s`);
    return Number(m[1]) * (m[2] === 's' ? 1e6 : m[2] === 'ms' ? 1e3 : 1);
  };
  if (kind === 'constant' && b === undefined) return { kind, us: dur(a) };
  if (kind === 'uniform' && b === undefined) {
    const [lo, hi] = (a ?? '').split('-');
    const minUs = dur(lo);
    const maxUs = dur(hi);
    if (maxUs < minUs) throw new Error(`uniform latency "${text}": the maximum is below the minimum`);
    return { kind, minUs, maxUs };
  }
  if (kind === 'lognormal') {
    const sigma = Number(b);
    if (!(sigma >= 0)) throw new Error(`lognormal latency "${text}": σ must be a number ≥ 0, as in lognormal:200us:0.5`);
    return { kind, medianUs: dur(a), sigma };
  }
  throw new Error(`latency model "${text}" is not constant:<d>, uniform:<d>-<d> or lognormal:<median>:<σ>`);
}
