/**
 * The current side's figures for dashboards: github-action-benchmark's `customBiggerIsBetter`
 * and `customSmallerIsBetter` JSON (a list of {name, unit, value, range?, extra?}) and
 * Bencher's Metric Format ({benchmark: {measure: {value, lower_value?, upper_value?}}}).
 * Values are in the results files' units (hitRate a ratio, latencies in ns); with repeats, the
 * mean of the repeats for timings and for wall-clock runs' counters, as compare shows them.
 */
import { label } from './compare.js';
import { ruleFor, type GateConfig } from './gate.js';
import type { RunEntry } from './inputs.js';
import { COUNTER_METRICS, TIMING_NAMES, singleTiming, timingInfo, type Better } from './metrics.js';
import { countersAreSamples } from './noise.js';
import { mean, median, stddev } from './stats.js';

export const EXPORT_FORMATS = ['github-bigger', 'github-smaller', 'bencher'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface GithubBenchmarkEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

export type BencherMetricFormat = Record<string, Record<string, { value: number; lower_value?: number; upper_value?: number }>>;

interface Figure {
  run: RunEntry;
  metric: string;
  unit: string;
  better: Better;
  value: number;
  /** Repeated samples behind the value (their mean), if any. */
  samples?: number[];
}

/** Every numeric figure of every current run, with the direction the gate gives it. */
function figures(runs: RunEntry[], gate: GateConfig): Figure[] {
  const out: Figure[] = [];
  for (const run of runs) {
    for (const m of COUNTER_METRICS) {
      const v = m.value(run.results);
      if (v === undefined) continue;
      // A wall-clock run's counters are samples: export the mean of its repeats, as compare shows it, not the first repeat's.
      const repeats = !m.exact && countersAreSamples(run.results) ? run.results.repeats?.counters?.[m.name] : undefined;
      const samples = repeats && repeats.length > 1 ? repeats : undefined;
      out.push({ run, metric: m.name, unit: m.unit, better: ruleFor(gate, run, m.name, m.better).direction, value: samples ? mean(samples) : v, samples });
    }
    for (const name of TIMING_NAMES) {
      const info = timingInfo(name)!;
      const samples = run.results.repeats?.samples[name];
      const value = samples ? mean(samples) : singleTiming(run.results, name);
      if (value === undefined) continue;
      out.push({ run, metric: name, unit: info.unit, better: ruleFor(gate, run, name, info.better).direction, value, samples });
    }
  }
  return out;
}

export function exportCurrent(format: ExportFormat, runs: RunEntry[], gate: GateConfig): GithubBenchmarkEntry[] | BencherMetricFormat {
  const all = figures(runs, gate);
  if (format === 'bencher') return bencher(all);
  // A figure where neither direction is better (recovery.writesUndone) has no place in either list.
  const want: Better = format === 'github-bigger' ? 'higher' : 'lower';
  return all.filter((f) => f.better === want).map(githubEntry);
}

function githubEntry(f: Figure): GithubBenchmarkEntry {
  const e: GithubBenchmarkEntry = { name: `${label(f.run)} ${f.metric}`, unit: f.unit, value: f.value };
  if (f.samples && f.samples.length > 1) {
    e.range = `± ${+stddev(f.samples).toPrecision(4)}`;
    e.extra = `mean of ${f.samples.length} repeats; median ${+median(f.samples).toPrecision(6)}; ${f.run.results.timing} timing`;
  } else if (timingInfo(f.metric)) {
    e.extra = `single sample; ${f.run.results.timing} timing`;
  }
  return e;
}

/** hitRate → hit-rate, cache.loads → cache-loads, read.p99 → read-p99 (Bencher measure slugs). */
export function measureSlug(metric: string): string {
  return metric.replace(/\./g, '-').replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

function bencher(all: Figure[]): BencherMetricFormat {
  const out: BencherMetricFormat = {};
  for (const f of all) {
    const bench = (out[label(f.run)] ??= {});
    const m: BencherMetricFormat[string][string] = { value: f.value };
    if (f.samples && f.samples.length > 1) {
      m.lower_value = Math.min(...f.samples);
      m.upper_value = Math.max(...f.samples);
    }
    bench[measureSlug(f.metric)] = m;
  }
  return out;
}
