/** The lines `run --repeat N` prints: per timing (and counter), the median and the spread of repeats. */
import type { Repeats } from '../../metrics/repeats.js';
import { table } from '../text-table.js';
import { duration } from '../report-format.js';
import { median } from './stats.js';

/**
 * The terminal lines `run --repeat N` adds below the summary, which shows one repeat (the
 * results body): per timing and per counter, the median and how far repeats spread.
 */
export function formatRepeats(r: Repeats): string {
  const row = (key: string, xs: number[], show: (k: string, v: number) => string) => {
    const mid = median(xs);
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    return [key, show(key, mid), show(key, lo), show(key, hi), mid ? `${(((hi - lo) / mid) * 100).toFixed(1)}%` : '-'];
  };
  const rows = [
    ...Object.entries(r.samples).map(([key, xs]) => row(key, xs, formatTiming)),
    ...Object.entries(r.counters ?? {}).map(([key, xs]) => row(key, xs, formatCounter)),
  ];
  const head = `repeats: ${r.count}; the tables above show one of them (the first, or the first whose integrity failed); below, the median of each timing and counter over all ${r.count}; spread = (max − min) / median`;
  return [head, '', ...table(['metric', 'median', 'min', 'max', 'spread'], rows)].join('\n');
}

/** A timing sample as people read it: IOPS whole, MB/s to 0.1, latencies (ns) auto-scaled to 3 significant digits. */
export function formatTiming(key: string, v: number): string {
  const metric = key.slice(key.lastIndexOf('.') + 1);
  if (metric === 'iops') return `${v.toFixed(0)} IOPS`;
  if (metric === 'mbPerSec') return `${v.toFixed(1)} MB/s`;
  return duration(v);
}

/** A counter sample (counterSamplesOf's names): the hit rate in %, per-1000 rates to 0.1, counts whole (a median may be a half). */
function formatCounter(key: string, v: number): string {
  if (key === 'hitRate') return `${(v * 100).toFixed(2)}%`;
  if (key.endsWith('Per1000')) return v.toFixed(1);
  return String(v);
}
