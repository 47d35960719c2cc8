/** A comparison as Markdown (PR comments, $GITHUB_STEP_SUMMARY) and as text for terminals. */
import { table } from '../text-table.js';
import { label, type CompareReport, type Row, type RunComparison, type Verdict } from './compare.js';
import { SAMPLES_NOTE_START } from './noise.js';
import { formatTiming } from './repeats-summary.js';

const MD_VERDICT: Record<Verdict, string> = { pass: '✅', improved: '✅ improved', warn: '⚠️', fail: '❌', 'not-gated': '➖ not gated' };
const TEXT_VERDICT: Record<Verdict, string> = { pass: 'ok', improved: 'improved', warn: 'WARN', fail: 'FAIL', 'not-gated': 'not gated' };

/** The one-line outcome: "❌ 2 regressions, 1 warning" / "✅ no regressions". */
function headline(r: CompareReport, md: boolean): string {
  const n = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;
  const parts: string[] = [];
  if (r.errors.length) parts.push(n(r.errors.length, 'error'));
  if (r.counts.regressions) parts.push(n(r.counts.regressions, 'regression'));
  if (r.counts.warnings) parts.push(n(r.counts.warnings, 'warning'));
  if (r.counts.improvements) parts.push(n(r.counts.improvements, 'improvement'));
  if (!r.errors.length && !r.counts.regressions) parts.unshift('no regressions');
  const mark = r.errors.length ? (md ? '🛑' : 'ERROR') : r.counts.regressions ? (md ? '❌' : 'FAIL') : md ? '✅' : 'PASS';
  return `${mark} ${parts.join(', ')}`;
}

export function formatMarkdown(r: CompareReport): string {
  const out: string[] = [];
  out.push(`## qed-bench compare: ${headline(r, true)}`, '');
  // "counters exact" alone would contradict the noise-band note right below it for wall-clock runs.
  const counters = r.notes.some((n) => n.startsWith(SAMPLES_NOTE_START)) ? 'counters exact, of wall-clock runs within a noise band' : 'counters exact';
  out.push(`Baseline \`${r.baseline.source}\` (${runs(r.baseline.runs)}) · current \`${r.current.source}\` (${runs(r.current.runs)}) · gate ${r.gate ? `\`${r.gate}\`` : `defaults (${counters}, timings: Welch p < 0.01 and ≥ 10%)`} · ${r.date}`, '');
  out.push(...r.notes.map((n) => `> ${oneLine(n)}`), ...(r.notes.length ? [''] : []));
  if (r.errors.length) {
    out.push('**Errors** (the comparison is incomplete):', '', ...r.errors.map((e) => `- ${e}`), '');
  }
  // What needs attention first; runs without any change folded into one block at the end.
  const quiet = (run: RunComparison) => run.verdict === 'pass' && !run.warnings.length;
  const ordered = worstFirst(r.runs);
  for (const run of ordered.filter((x) => !quiet(x))) {
    out.push(`### ${MD_VERDICT[run.verdict].split(' ')[0]} ${oneLine(title(run))}`, '', ...mdConfiguration(run), ...markdownTable(run));
    if (run.warnings.length) out.push(...run.warnings.map((w) => `- ⚠️ ${oneLine(w)}`), '');
  }
  const unchanged = ordered.filter(quiet);
  if (unchanged.length) {
    out.push('<details>', `<summary>✅ ${runs(unchanged.length)} with no change</summary>`, '');
    for (const run of unchanged) out.push(`#### ${oneLine(title(run))}`, '', ...mdConfiguration(run), ...markdownTable(run));
    out.push('</details>', '');
  }
  if (r.warnings.length) out.push('**Warnings**', '', ...r.warnings.map((w) => `- ${oneLine(w)}`), '');
  return `${out.join('\n').trimEnd()}\n`;
}

function markdownTable(run: RunComparison): string[] {
  const out = ['| metric | baseline | current | change | verdict |', '|---|---:|---:|---:|---|'];
  for (const row of run.rows) {
    const mark = MD_VERDICT[row.verdict];
    const verdict = !row.note ? mark : /[a-z]$/.test(mark) ? `${mark}: ${row.note}` : `${mark} ${row.note}`;
    out.push(`| ${row.metric} | ${cells(row).map(escapeMd).join(' | ')} | ${escapeMd(verdict)} |`);
  }
  return [...out, ''];
}

const ORDER: Record<Verdict, number> = { fail: 0, warn: 1, improved: 2, pass: 3, 'not-gated': 3 };

/** Failures, then warnings, then improvements, then the rest; input order within each. */
function worstFirst(list: RunComparison[]): RunComparison[] {
  return [...list].sort((a, b) => ORDER[a.verdict] - ORDER[b.verdict]);
}

export function formatText(r: CompareReport): string {
  const out: string[] = [];
  out.push(`compare ${r.baseline.source} (${runs(r.baseline.runs)}) → ${r.current.source} (${runs(r.current.runs)}); gate: ${r.gate ?? 'defaults'}; ${r.date}`);
  out.push(...r.notes.map((n) => `note: ${n}`), '');
  for (const run of worstFirst(r.runs)) {
    out.push(`${TEXT_VERDICT[run.verdict].toUpperCase()}  ${title(run)}`);
    out.push(...configuration(run, (l) => `  ${l}`));
    const rows = run.rows.map((row) => [row.metric, ...cells(row), TEXT_VERDICT[row.verdict], row.note ?? '']);
    out.push(...table(['metric', 'baseline', 'current', 'change', 'verdict', 'note'], rows).map((l) => `  ${l.trimEnd()}`));
    out.push(...run.warnings.map((w) => `  warning: ${w}`), '');
  }
  out.push(...r.warnings.map((w) => `warning: ${w}`));
  out.push(...r.errors.map((e) => `error: ${e}`));
  out.push(`${headline(r, false)} (exit ${r.exitCode})`);
  return `${out.join('\n')}\n`;
}

/** The run's label, or "baseline → current" when the runs were paired across configurations. */
function title(run: RunComparison): string {
  return run.baselineLabel ? `${run.baselineLabel} → ${label(run)}` : label(run);
}

/** The configuration difference of a pair, first, so the numbers below are read for what they are. */
function configuration(run: RunComparison, line: (l: string) => string): string[] {
  if (!run.configuration.length) return [];
  return [line('configuration differs:'), ...run.configuration.map((c) => line(`  ${c}`)), ''];
}

function mdConfiguration(run: RunComparison): string[] {
  return run.configuration.length ? [`**Configuration differs:** ${run.configuration.map((c) => `\`${oneLine(c)}\``).join(' · ')}`, ''] : [];
}

const runs = (n: number) => `${n} run${n === 1 ? '' : 's'}`;

/** baseline, current, change as people read them. */
function cells(row: Row): [string, string, string] {
  return [value(row, row.baseline, 'baseline'), value(row, row.current, 'current'), change(row)];
}

function value(row: Row, v: number | string | null, side: 'baseline' | 'current'): string {
  if (v === null) return '—';
  if (typeof v === 'string') return v;
  switch (row.kind) {
    case 'ratio':
      return `${(v * 100).toFixed(2)}%`;
    case 'rate':
      return v.toFixed(2);
    case 'count':
      // A mean of repeated counts: one decimal, not 8285.333333333334.
      return Number.isInteger(v) ? String(v) : v.toFixed(1);
    default: {
      const s = row.test?.[side];
      const shown = formatTiming(row.metric, v);
      return s ? `${shown} ±${formatTiming(row.metric, s.sd)} (n=${s.n})` : shown;
    }
  }
}

/** A metric's value as compare prints it, for the side-by-side table too. */
export function formatMetricValue(kind: Row['kind'], metric: string, v: number | string | null): string {
  return value({ kind, metric } as Row, v, 'baseline');
}

function change(row: Row): string {
  if (row.delta === null) return '—';
  if (row.delta === 0) return '0';
  const rel = row.relative === null ? '' : `${sign(row.relative * 100, 1)}%`;
  if (row.kind === 'timing') return rel || '—';
  const abs = row.kind === 'ratio' ? `${sign(row.delta * 100, 2)} pp` : row.kind === 'rate' ? sign(row.delta, 2) : sign(row.delta, 0);
  return rel ? `${abs} (${rel})` : abs;
}

function sign(x: number, digits: number): string {
  const s = x.toFixed(digits);
  return x > 0 ? `+${s}` : s;
}

/** Table cells: a pipe would end the cell. */
function escapeMd(s: string): string {
  return oneLine(s).replace(/\|/g, '\\|');
}

function oneLine(s: string): string {
  return s.replace(/\n/g, ' ');
}

