/** The lines `run --repeat N` prints: per timing, the median and the spread of repeats. */
import type { Repeats } from '../../metrics/repeats.js';
import { table } from '../text-table.js';
import { duration } from '../report-format.js';
import { median } from './stats.js';

/** The terminal lines `run --repeat N` adds: per timing, the median and how far repeats spread. */
export function formatRepeats(r: Repeats): string {
  const rows = Object.entries(r.samples).map(([key, xs]) => {
    const mid = median(xs);
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    return [key, formatTiming(key, mid), formatTiming(key, lo), formatTiming(key, hi), mid ? `${(((hi - lo) / mid) * 100).toFixed(1)}%` : '-'];
  });
  const head = `repeats: ${r.count} (median of each timing; spread = (max − min) / median)`;
  return [head, '', ...table(['timing', 'median', 'min', 'max', 'spread'], rows)].join('\n');
}

/** A timing sample as people read it: IOPS whole, MB/s to 0.1, latencies (ns) auto-scaled to 3 significant digits. */
export function formatTiming(key: string, v: number): string {
  const metric = key.slice(key.lastIndexOf('.') + 1);
  if (metric === 'iops') return `${v.toFixed(0)} IOPS`;
  if (metric === 'mbPerSec') return `${v.toFixed(1)} MB/s`;
  return duration(v);
}
