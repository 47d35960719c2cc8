/**
 * fio's compact strings: random_distribution ("zipf:1.2", "zoned:60/10:40/90") and block sizes
 * ("4k", "4k-64k", bssplit "4k/50:64k/50"). Throws Expected with the accepted forms.
 */
import type { BlockSize, Distribution } from './types.js';
import { Expected, bytes, decimal } from '../config/units.js';
import { didYouMean } from '../config/suggest.js';

const DISTRIBUTIONS = ['uniform', 'zipf', 'pareto', 'normal', 'zoned'];
const DIST_FORMS = 'uniform, zipf:θ, pareto:h, normal:σ%[:center%] or zoned:share/span:...';

export function parseDistribution(text: string): Distribution {
  const [kind, ...args] = text.trim().split(':');
  const arg = (i: number): number | null => (args[i] === undefined ? null : decimal(args[i].replace(/%$/, '')));
  switch (kind) {
    case 'uniform':
      if (args.length) throw new Expected('expected "uniform" with no parameter');
      return { kind: 'uniform' };
    case 'zipf': {
      const theta = arg(0);
      if (args.length !== 1 || theta === null || theta <= 0 || theta === 1) {
        throw new Expected('expected zipf:θ with θ > 0 and θ ≠ 1 (e.g. zipf:1.2)', theta === 1 ? 'fio rejects θ = 1; use 0.99 or 1.01' : undefined);
      }
      return { kind: 'zipf', theta };
    }
    case 'pareto': {
      const h = arg(0);
      if (args.length !== 1 || h === null || h <= 0 || h >= 1) {
        throw new Expected('expected pareto:h with 0 < h < 1 (e.g. pareto:0.2)');
      }
      return { kind: 'pareto', h };
    }
    case 'normal': {
      const sigma = arg(0);
      const center = args.length > 1 ? arg(1) : 50;
      if (args.length < 1 || args.length > 2 || sigma === null || sigma <= 0 || sigma > 100 || center === null || center > 100) {
        throw new Expected('expected normal:σ%[:center%] with 0 < σ ≤ 100 and center 0..100 (e.g. normal:10 or normal:10%:25%)');
      }
      return { kind: 'normal', sigma: sigma / 100, center: center / 100 };
    }
    case 'zoned':
      return { kind: 'zoned', zones: parseZones(args) };
    default: {
      const near = didYouMean(kind, DISTRIBUTIONS);
      throw new Expected(`expected a distribution: ${DIST_FORMS}`, near ? `did you mean ${near}?` : undefined);
    }
  }
}

/** fio's zoned: "share/span" pairs in percent, shares and spans each summing to 100. */
function parseZones(pairs: string[]): Array<{ share: number; span: number }> {
  const form = 'expected zoned:share/span:share/span... in percent (e.g. zoned:60/10:30/20:10/70)';
  if (pairs.length === 0) throw new Expected(form);
  const zones = pairs.map((p) => {
    const [a, b, ...rest] = p.split('/');
    const share = decimal(a ?? '');
    const span = decimal(b ?? '');
    if (rest.length || share === null || span === null || share > 100 || span <= 0 || span > 100) throw new Expected(form);
    return { share, span };
  });
  const shares = zones.reduce((s, z) => s + z.share, 0);
  const spans = zones.reduce((s, z) => s + z.span, 0);
  // Decimal shares such as 33.3 add up inexactly; a millionth of a percent is not a typo.
  if (Math.abs(shares - 100) > 1e-6 || Math.abs(spans - 100) > 1e-6) {
    throw new Expected(`expected zone shares and spans each summing to 100 (shares sum to ${round(shares)}, spans to ${round(spans)})`);
  }
  return zones.map((z) => ({ share: z.share / 100, span: z.span / 100 }));
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

const BS_FORMS = 'a block size (4k), a range (4k-64k) or a split (4k/50:64k/50)';

/** A block size from a YAML number or string. */
export function parseBlockSize(v: string | number): BlockSize {
  if (typeof v === 'number') return { kind: 'fixed', size: bytes(v, 1) };
  const s = v.trim();
  try {
    if (s.includes('/') || s.includes(':')) {
      return splitOf(
        s.split(':').map((part) => {
          const [size, weight, ...rest] = part.split('/');
          if (rest.length || weight === undefined) throw new Expected(`expected ${BS_FORMS}`);
          return { size: bytes(size, 1), weight: decimal(weight) ?? NaN };
        }),
      );
    }
    const dash = s.indexOf('-', 1);
    if (dash > 0) {
      const min = bytes(s.slice(0, dash), 1);
      const max = bytes(s.slice(dash + 1), 1);
      if (min > max) throw new Expected('expected a range min-max with min ≤ max (e.g. 4k-64k)');
      return { kind: 'range', min, max };
    }
    return { kind: 'fixed', size: bytes(s, 1) };
  } catch (err) {
    if (err instanceof Expected && !/^expected (a range|weights)/.test(err.message)) {
      throw new Expected(`expected ${BS_FORMS}`, err.hint);
    }
    throw err;
  }
}

/** bssplit: positive weights, normalized to fractions of 1 (so 1:3 and 25:75 mean the same). */
export function splitOf(parts: Array<{ size: number; weight: number }>): BlockSize {
  if (parts.length === 0) throw new Expected('expected at least one {bs, weight} entry');
  if (parts.some((p) => !Number.isFinite(p.weight) || p.weight <= 0)) {
    throw new Expected('expected weights greater than 0 (e.g. 4k/50:64k/50)');
  }
  const total = parts.reduce((s, p) => s + p.weight, 0);
  return { kind: 'split', parts: parts.map((p) => ({ size: p.size, weight: p.weight / total })) };
}
