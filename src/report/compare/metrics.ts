/**
 * What compare looks at, and which way is better. Tier 1: counters, exact (or within a
 * tolerance) because the deterministic scheduler repeats them on every machine. Tier 2:
 * timings, compared only from repeated samples.
 */
import { OPS } from '../../metrics/phase.js';
import { TIMING_METRICS, type RepeatedResults, type TimingMetric } from '../../metrics/repeats.js';

/** Which way is better; `neither`: any change beyond the tolerance is a regression. */
export type Better = 'higher' | 'lower' | 'neither';

export interface CounterMetric {
  name: string;
  better: Better;
  /** How values print: a ratio as a percentage, a rate to two decimals, a count whole. */
  kind: 'ratio' | 'rate' | 'count';
  unit: string;
  /** The value in a results file; undefined when the file does not have it. */
  value(r: RepeatedResults): number | undefined;
  /** Whether a run has this metric at all (recovery counters: only runs with a power cut). */
  applies?(r: RepeatedResults): boolean;
  /**
   * Exact whatever the timing: integrity counts are 0 in every correct run. The others depend
   * on the interleaving, so under real timing they are samples (compare gates them as such).
   */
  exact?: boolean;
  /**
   * Counted from data bytes read back (integrity): a metadata-only run checks mappings instead,
   * so the value means something else there and is not compared across stores.
   */
  bytes?: boolean;
}

const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);

/** Integrity's verdict: a current `failed` always fails, whatever the gate says. */
export const INTEGRITY_VERDICT = 'integrity.verdict';

export const COUNTER_METRICS: CounterMetric[] = [
  { name: 'hitRate', better: 'higher', kind: 'ratio', unit: 'ratio', value: (r) => num(r.total?.hitRate) },
  { name: 'metadataReadsPer1000', better: 'lower', kind: 'rate', unit: 'per 1000 requests', value: (r) => num(r.total?.metadataReadsPer1000) },
  { name: 'metadataWritesPer1000', better: 'lower', kind: 'rate', unit: 'per 1000 requests', value: (r) => num(r.total?.metadataWritesPer1000) },
  { name: 'peakOverCapacity', better: 'lower', kind: 'count', unit: 'tables', value: (r) => num(r.total?.peakOverCapacity) },
  { name: 'requestsCompletedOverCapacity', better: 'lower', kind: 'count', unit: 'requests', value: (r) => num(r.total?.requestsCompletedOverCapacity) },
  { name: 'cache.loads', better: 'lower', kind: 'count', unit: 'loads', value: (r) => num(r.total?.cache?.loads) },
  { name: 'cache.evictions', better: 'lower', kind: 'count', unit: 'evictions', value: (r) => num(r.total?.cache?.evictions) },
  { name: 'integrity.lostWrites', better: 'lower', kind: 'count', unit: 'sectors', value: (r) => num(r.integrity?.lostWrites), exact: true, bytes: true },
  { name: 'integrity.staleReads', better: 'lower', kind: 'count', unit: 'sectors', value: (r) => num(r.integrity?.staleReads), exact: true, bytes: true },
  ...recovery('writesUndone', 'neither', 'writes'),
  ...recovery('sectorsTorn', 'neither', 'sectors'),
  ...recovery('corruptionsFound', 'lower', 'corruptions'),
  ...recovery('corruptionsFixed', 'neither', 'corruptions'),
  ...recovery('leaks', 'lower', 'clusters'),
  ...recovery('lostUnflushedWrites', 'lower', 'writes'),
  ...recovery('lostFlushedWrites', 'lower', 'writes'),
];

/** A power-cut recovery counter (docs/results.md): only in runs of a workload with scheduler.power_cut. */
function recovery(field: 'writesUndone' | 'sectorsTorn' | 'corruptionsFound' | 'corruptionsFixed' | 'leaks' | 'lostUnflushedWrites' | 'lostFlushedWrites', better: Better, unit: string): CounterMetric[] {
  return [{ name: `recovery.${field}`, better, kind: 'count', unit, value: (r) => num(r.recovery?.[field]), applies: (r) => r.recovery != null }];
}

export interface TimingMetricInfo {
  better: Better;
  unit: string;
}

export const TIMING_INFO: Record<TimingMetric, TimingMetricInfo> = {
  iops: { better: 'higher', unit: 'IOPS' },
  mbPerSec: { better: 'higher', unit: 'MB/s' },
  p50: { better: 'lower', unit: 'ns' },
  p99: { better: 'lower', unit: 'ns' },
};

/**
 * The timings compared, `<op>.<metric>`: every op's but a flush's rate. Flushes per second of a
 * whole phase (and a flush has no bytes) measure how often the workload asks, not how fast
 * anything is; the run summary prints "-" there too.
 */
export const TIMING_NAMES: string[] = OPS.flatMap((op) => TIMING_METRICS.filter((t) => op !== 'flush' || (t !== 'iops' && t !== 'mbPerSec')).map((t) => `${op}.${t}`));

/** `read.p99` → its metric's info, or undefined for a name that is not a timing. */
export function timingInfo(name: string): TimingMetricInfo | undefined {
  const dot = name.indexOf('.');
  const op = name.slice(0, dot);
  const metric = name.slice(dot + 1) as TimingMetric;
  return dot > 0 && TIMING_NAMES.includes(name) ? TIMING_INFO[metric] : undefined;
}

/** Every metric name a gate file may mention (globs are matched against these). */
export const ALL_METRIC_NAMES: string[] = [
  INTEGRITY_VERDICT,
  ...COUNTER_METRICS.map((m) => m.name),
  ...TIMING_NAMES,
];

export function isTimingName(name: string): boolean {
  return timingInfo(name) !== undefined;
}

/** One run's single-sample timing value from its total (no repeats). */
export function singleTiming(r: RepeatedResults, name: string): number | undefined {
  const [op, metric] = name.split('.') as [keyof RepeatedResults['total']['ops'], TimingMetric];
  const m = r.total?.ops?.[op];
  if (!m || !m.ops) return undefined;
  if (metric === 'p50' || metric === 'p99') return num(m.latency?.[metric]);
  if (metric === 'mbPerSec' && !m.bytes) return undefined;
  return num(m[metric]);
}

/**
 * A name pattern: exact, or a glob where `*` is any run of characters and `?` one character.
 * Nothing else is special, so names with brackets (`zipf[cache.size=16]`) match literally.
 */
export function globMatcher(pattern: string): (name: string) => boolean {
  if (!/[*?]/.test(pattern)) return (name) => name === pattern;
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 's');
  return (name) => re.test(name);
}
