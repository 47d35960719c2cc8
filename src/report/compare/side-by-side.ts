/**
 * `compare a.json b.json c.json`: N results side by side, one column per file, no verdicts.
 * Runs line up by workload name, cache size and policy; when every file holds one run, those
 * runs line up whatever their configuration, and the settings that differ come first.
 */
import { table } from '../text-table.js';
import { formatMetricValue } from './format.js';
import { label } from './compare.js';
import type { RunEntry, RunSet } from './inputs.js';
import { COUNTER_METRICS, TIMING_NAMES, INTEGRITY_VERDICT, singleTiming } from './metrics.js';
import { configurationDifference } from './pairing.js';
import { mean } from './stats.js';

export interface SideBySideGroup {
  /** What the runs of this group are (the first file's label when every file holds one run). */
  title: string;
  /** One entry per input, null where that input has no such run. */
  runs: Array<RunEntry | null>;
  /** Settings that differ from the first column's: "cache.size: 8 → 50 (b.json)". */
  configuration: string[];
  rows: Array<{ metric: string; values: string[] }>;
}

export function sideBySide(sets: RunSet[]): SideBySideGroup[] {
  if (sets.every((s) => s.runs.length === 1)) return [group(sets.map((s) => s.runs[0]), sets)];
  const ids = [...new Set(sets.flatMap((s) => s.runs.map((r) => r.id)))];
  return ids.map((id) => group(sets.map((s) => s.runs.find((r) => r.id === id) ?? null), sets));
}

function group(runs: Array<RunEntry | null>, sets: RunSet[]): SideBySideGroup {
  const first = runs.find((r) => r !== null)!;
  const configuration = runs.flatMap((r, i) => (r && r !== first ? configurationDifference(first.results, r.results).map((d) => `${d} (${sets[i].source})`) : []));
  const cell = (f: (r: RunEntry) => string) => runs.map((r) => (r ? f(r) : '—'));
  const rows: SideBySideGroup['rows'] = [{ metric: INTEGRITY_VERDICT, values: cell((r) => String(r.results.integrity?.verdict ?? '—')) }];
  for (const m of COUNTER_METRICS) {
    if (runs.every((r) => !r || (m.applies && !m.applies(r.results)))) continue;
    rows.push({ metric: m.name, values: cell((r) => formatMetricValue(m.kind, m.name, m.value(r.results) ?? null)) });
  }
  for (const name of TIMING_NAMES) {
    const values = runs.map((r) => (r ? timing(r, name) : undefined));
    if (values.every((v) => v === undefined)) continue;
    rows.push({ metric: name, values: values.map((v) => (v === undefined ? '—' : formatMetricValue('timing', name, v))) });
  }
  return { title: label(first), runs, configuration, rows };
}

/** The mean of repeated samples, else the single value. */
function timing(r: RunEntry, name: string): number | undefined {
  const xs = r.results.repeats?.samples[name];
  return xs?.length ? mean(xs) : singleTiming(r.results, name);
}

export function formatSideBySide(sets: RunSet[], groups: SideBySideGroup[], md: boolean): string {
  const out: string[] = [];
  const heads = ['metric', ...sets.map((s) => s.source)];
  for (const g of groups) {
    out.push(md ? `### ${g.title}` : g.title, '');
    if (g.configuration.length) out.push(md ? `**Configuration differs from the first column:** ${g.configuration.map((c) => `\`${c}\``).join(' · ')}` : `configuration differs from the first column:\n${g.configuration.map((c) => `  ${c}`).join('\n')}`, '');
    const rows = g.rows.map((r) => [r.metric, ...r.values]);
    if (md) out.push(`| ${heads.join(' | ')} |`, `|---|${sets.map(() => '---:').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ').replace(/\n/g, ' ')} |`));
    else out.push(...table(heads, rows).map((l) => l.trimEnd()));
    out.push('');
  }
  out.push(md ? '_side by side: no verdicts (compare two files to gate)_' : 'side by side: no verdicts (compare two files to gate)');
  return `${out.join('\n')}\n`;
}
