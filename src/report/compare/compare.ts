/**
 * Baseline against current, run by run (matched by workload name + cache size + policy):
 * counters exactly or within the gate's tolerance, timings by Welch's t-test plus a minimum
 * effect when both sides carry repeated samples, never otherwise. Improvements never fail.
 */
import type { RepeatedResults } from '../../metrics/repeats.js';
import { acknowledgementFor, acknowledgementHolds, gateSetsTolerance, ruleFor, type GateConfig, type Rule } from './gate.js';
import type { RunEntry, RunSet } from './inputs.js';
import { COUNTER_METRICS, TIMING_NAMES, INTEGRITY_VERDICT, singleTiming, timingInfo, type Better, type CounterMetric } from './metrics.js';
import { countersAreSamples, noiseBand, samplesNote } from './noise.js';
import { pairRuns } from './pairing.js';
import { mean, median, stddev, welchTest } from './stats.js';

export const COMPARE_SCHEMA = 'qed-bench/compare@1';

/** The note when both sides carry repeats: what the numbers of such a run are. */
export const REPEATS_NOTE = 'runs with repeats (`run --repeat N`) show the mean of their repeats: timings as mean ±standard deviation (n = repeats), counters of wall-clock runs as the mean';

/** pass: no change or within tolerance; not-gated: a timing reported from single samples. */
export type Verdict = 'pass' | 'improved' | 'warn' | 'fail' | 'not-gated';

export interface SampleStats {
  n: number;
  mean: number;
  sd: number;
  median: number;
  min: number;
  max: number;
}

export interface Row {
  metric: string;
  tier: 'counter' | 'timing';
  /** How values print: ratio (%), rate, count, verdict (text), timing (by metric). */
  kind: 'ratio' | 'rate' | 'count' | 'verdict' | 'timing';
  unit: string;
  better: Better;
  /** Numbers, or the integrity verdict; a timing with samples shows their mean. */
  baseline: number | string | null;
  current: number | string | null;
  /** current − baseline, and that relative to |baseline| (null when baseline is 0 or not a number). */
  delta: number | null;
  relative: number | null;
  verdict: Verdict;
  note: string | null;
  /** Timings with repeated samples on both sides: the test and the samples' summary. */
  test?: { p: number; t: number; df: number; alpha: number; minEffect: number; baseline: SampleStats; current: SampleStats };
}

export interface RunComparison {
  id: string;
  name: string;
  size: number;
  policy: string;
  baselineFile: string;
  currentFile: string;
  /** The baseline run's label when it is not the current run's (paired across configurations). */
  baselineLabel: string | null;
  /** How the paired runs' configurations differ ("cache.size: 8 → 50"); empty for like runs. */
  configuration: string[];
  /** The worst row's verdict. */
  verdict: Verdict;
  rows: Row[];
  warnings: string[];
}

export interface CompareReport {
  schema: typeof COMPARE_SCHEMA;
  baseline: { source: string; files: number; runs: number };
  current: { source: string; files: number; runs: number };
  gate: string | null;
  /** The day acknowledgements were judged against (YYYY-MM-DD, UTC). */
  date: string;
  runs: RunComparison[];
  /** Across runs: new runs, single-sample timings, unused acknowledgements. */
  warnings: string[];
  /** How the comparison was made, shown first (e.g. that wall-clock counters are samples). */
  notes: string[];
  /** Why the comparison is incomplete (exit 2): a run without counterpart, a metric missing. */
  errors: string[];
  counts: { regressions: number; warnings: number; improvements: number };
  /** The CLI's exit code for this outcome (compareOutcome): the CLI decides it and adds it. */
  exitCode: number;
}

/** What a comparison concluded: its errors made it incomplete, a regression failed it, or it passed. */
export type CompareOutcome = 'incomplete' | 'regression' | 'pass';

export function compareOutcome(r: Pick<CompareReport, 'errors' | 'counts'>): CompareOutcome {
  return r.errors.length ? 'incomplete' : r.counts.regressions ? 'regression' : 'pass';
}

export interface CompareOptions {
  gate: GateConfig;
  /** YYYY-MM-DD (UTC); defaults to today. */
  today?: string;
  /**
   * Fail any change to a counter, improvements included: for a committed deterministic baseline
   * (bench:ci), where any change means the behaviour changed and the baseline must follow on purpose.
   */
  strictCounters?: boolean;
  /** `--pair A=B`: compare baseline run A with current run B (ids name/size/policy or unique names). */
  pairs?: Array<[string, string]>;
}

const RANK: Record<Verdict, number> = { 'not-gated': 0, pass: 0, improved: 1, warn: 2, fail: 3 };

export function compareRunSets(base: RunSet, cur: RunSet, opts: CompareOptions): Omit<CompareReport, 'exitCode'> {
  const today = opts.today ?? new Date().toISOString().slice(0, 10);
  const ctx: Context = { gate: opts.gate, today, errors: [], usedAcks: new Set(), singleSamples: false, strictCounters: opts.strictCounters ?? false, sampleCounters: null };
  const pairing = pairRuns(base, cur, opts.pairs);
  ctx.errors.push(...pairing.errors);
  for (const b of pairing.baseOnly) {
    ctx.errors.push(`${b.file}: baseline run ${label(b)} has no counterpart in ${cur.source} (matched by workload name, cache size and policy; name the pair with --pair BASELINE=CURRENT)`);
  }
  const runs = pairing.pairs.map(({ b, c, configuration }) => ({ ...compareRun(b, c, ctx), configuration }));
  const warnings: string[] = [];
  for (const c of pairing.curOnly) warnings.push(`${c.file}: run ${label(c)} is not in the baseline; not compared`);
  if (ctx.singleSamples) {
    warnings.push('timings from single samples are reported but never gated; run both sides with `qed-bench run --repeat N` to gate them');
  }
  for (const a of opts.gate.acknowledge) {
    if (!ctx.usedAcks.has(a.index)) warnings.push(`${opts.gate.source}: acknowledge[${a.index}] (${a.workload}, ${a.metric}) matched no regression; remove it once it is no longer needed`);
  }
  const all = runs.flatMap((r) => r.rows);
  const counts = {
    regressions: all.filter((r) => r.verdict === 'fail').length,
    warnings: all.filter((r) => r.verdict === 'warn').length,
    improvements: all.filter((r) => r.verdict === 'improved').length,
  };
  const notes = ctx.sampleCounters ? [samplesNote(ctx.sampleCounters === 'repeated')] : [];
  // Without this line a reader takes "8285.3" or "12280 IOPS ±2912 IOPS" for one run's figures.
  if (all.some((r) => r.test)) notes.push(REPEATS_NOTE);
  return {
    notes,
    schema: COMPARE_SCHEMA,
    baseline: { source: base.source, files: base.files.length, runs: base.runs.length },
    current: { source: cur.source, files: cur.files.length, runs: cur.runs.length },
    gate: opts.gate.source,
    date: today,
    runs,
    warnings,
    errors: ctx.errors,
    counts,
  };
}

/** "name (cache 16, fifo)" */
export function label(r: { name: string; size: number; policy: string }): string {
  return `${r.name} (cache ${r.size}, ${r.policy})`;
}

interface Context {
  gate: GateConfig;
  today: string;
  errors: string[];
  usedAcks: Set<number>;
  singleSamples: boolean;
  strictCounters: boolean;
  /** Whether some run's counters were gated as samples, and how (the note compare prints). */
  sampleCounters: null | 'repeated' | 'single';
}

function compareRun(b: RunEntry, c: RunEntry, ctx: Context): RunComparison {
  const rows: Row[] = [];
  const missing = (entry: RunEntry, metric: string) => ctx.errors.push(`${entry.file}: run ${label(entry)}: metric ${metric} is missing`);
  rows.push(...integrityRow(b, c, missing));
  for (const m of COUNTER_METRICS) {
    const row = counterRow(m, b, c, ctx, missing);
    if (row) rows.push(row);
  }
  rows.push(...timingRows(b, c, ctx, missing));
  const warnings = runWarnings(b.results, c.results);
  const stores = storeDifference(b.results, c.results);
  if (stores) {
    warnings.push(stores.line);
    for (let i = 0; i < rows.length; i++) if (stores.refuses(rows[i])) rows[i] = { ...rows[i], verdict: 'not-gated', note: stores.note };
  }
  const verdict = rows.reduce<Verdict>((w, r) => (RANK[r.verdict] > RANK[w] ? r.verdict : w), 'pass');
  const baselineLabel = label(b) === label(c) ? null : label(b);
  return { id: c.id, name: c.name, size: c.size, policy: c.policy, baselineFile: b.file, currentFile: c.file, baselineLabel, configuration: [], verdict, rows, warnings };
}

/** Where a run's image lived; results before stores were recorded moved bytes (file or memory). */
function storeOf(r: RepeatedResults): 'file' | 'memory' | 'metadata' {
  return r.image?.store ?? 'file';
}

/**
 * A metadata-only run and one that moves bytes (memory or file): cache and engine counters, time
 * series and virtual latencies are the same by design and compare as usual; wall-clock
 * throughput and latency (no bytes moved on one side) and the byte-level integrity counts (a
 * mapping check on one side) mean different things, so their rows are not compared.
 */
function storeDifference(b: RepeatedResults, c: RepeatedResults): { line: string; note: string; refuses: (row: Row) => boolean } | null {
  const bs = storeOf(b);
  const cs = storeOf(c);
  if ((bs === 'metadata') === (cs === 'metadata')) return null;
  const wallClock = b.timing === 'wall-clock' || c.timing === 'wall-clock';
  const byteMetrics = new Set(COUNTER_METRICS.filter((m) => m.bytes).map((m) => m.name));
  const refused = [...(wallClock ? ['wall-clock throughput and latency'] : []), `byte integrity counts (${[...byteMetrics].join(', ')})`];
  return {
    line: `different image stores: baseline ${bs}, current ${cs} (metadata-only moves no data bytes): cache and engine counters${wallClock ? '' : ' and virtual latencies'} compare as usual; ${refused.join(' and ')} are not compared`,
    note: `not compared: ${bs} vs ${cs} store`,
    refuses: (row) => byteMetrics.has(row.metric) || (wallClock && row.tier === 'timing'),
  };
}

function integrityRow(b: RunEntry, c: RunEntry, missing: (e: RunEntry, m: string) => void): Row[] {
  const bv = b.results.integrity.verdict;
  const cv = c.results.integrity.verdict;
  if (typeof bv !== 'string') missing(b, INTEGRITY_VERDICT);
  if (typeof cv !== 'string') missing(c, INTEGRITY_VERDICT);
  if (typeof bv !== 'string' || typeof cv !== 'string') return [];
  let verdict: Verdict = 'pass';
  let note: string | null = null;
  if (cv === 'failed') {
    const i = c.results.integrity;
    verdict = 'fail';
    note = `integrity failed (${i.lostWrites} lost, ${i.staleReads} stale, ${i.corruptSectors} corrupt sectors); always a failure`;
  } else if (bv === 'failed') {
    verdict = 'improved';
  } else if (cv === 'skipped' && bv !== 'skipped') {
    verdict = 'warn';
    note = 'the current run was not verified (--no-verify)';
  }
  return [{ metric: INTEGRITY_VERDICT, tier: 'counter', kind: 'verdict', unit: 'verdict', better: 'higher', baseline: bv, current: cv, delta: null, relative: null, verdict, note }];
}

function counterRow(m: CounterMetric, b: RunEntry, c: RunEntry, ctx: Context, missing: (e: RunEntry, m: string) => void): Row | null {
  if (m.applies && !m.applies(b.results)) {
    const cv = m.applies(c.results) ? m.value(c.results) : undefined;
    if (cv === undefined) return null;
    return { metric: m.name, tier: 'counter', kind: m.kind, unit: m.unit, better: m.better, baseline: null, current: cv, delta: null, relative: null, verdict: 'not-gated', note: 'not in the baseline' };
  }
  const bv = m.value(b.results);
  const cv = m.value(c.results);
  if (bv === undefined) missing(b, m.name);
  if (cv === undefined) missing(c, m.name);
  if (bv === undefined || cv === undefined) return null;
  const rule = ruleFor(ctx.gate, c, m.name, m.better);
  const samples = !m.exact && !ctx.strictCounters && (countersAreSamples(b.results) || countersAreSamples(c.results));
  if (samples && !gateSetsTolerance(ctx.gate, c, m.name)) return sampleCounterRow(m, b, c, bv, cv, rule, ctx);
  const delta = cv - bv;
  const row: Row = { metric: m.name, tier: 'counter', kind: m.kind, unit: m.unit, better: rule.direction, baseline: bv, current: cv, delta, relative: bv !== 0 ? delta / Math.abs(bv) : null, verdict: 'pass', note: null };
  if (delta === 0) return row;
  const worse = rule.direction === 'neither' || (rule.direction === 'higher' ? delta < 0 : delta > 0);
  const t = rule.tolerance;
  const allowed = 'absolute' in t ? t.absolute : t.relative * Math.abs(bv);
  const tolerance = 'absolute' in t ? `±${t.absolute}` : `±${+(t.relative * 100).toPrecision(6)}%`;
  // A committed deterministic baseline: any change means behaviour changed, whichever way and
  // however small, so neither a tolerance nor an acknowledgement lets it through.
  if (ctx.strictCounters) {
    const what = !worse ? 'improved, but counters' : Math.abs(delta) <= allowed ? `within the gate's tolerance (${tolerance}), but counters` : 'counters';
    return { ...row, verdict: 'fail', note: `${what} must not change (--strict-counters): update the baseline on purpose` };
  }
  if (!worse) return { ...row, verdict: 'improved' };
  if (Math.abs(delta) <= allowed) return { ...row, note: `within tolerance (${tolerance})` };
  return regression(rule.direction === 'neither' ? { ...row, note: 'changed (neither direction is better)' } : row, rule, c, ctx);
}

/** A counter of a real-timing run: a change inside the noise band is noise, beyond it as any counter. */
function sampleCounterRow(m: CounterMetric, b: RunEntry, c: RunEntry, bv: number, cv: number, rule: Rule, ctx: Context): Row {
  const band = noiseBand(m, b.results, c.results, bv, cv);
  if (ctx.sampleCounters !== 'single') ctx.sampleCounters = band.text.includes('repeats') ? 'repeated' : 'single';
  const delta = band.current - band.baseline;
  const row: Row = { metric: m.name, tier: 'counter', kind: m.kind, unit: m.unit, better: rule.direction, baseline: band.baseline, current: band.current, delta, relative: band.baseline !== 0 ? delta / Math.abs(band.baseline) : null, verdict: 'pass', note: null };
  if (delta === 0) return row;
  if (Math.abs(delta) <= band.allowed) return { ...row, note: `sample: within the noise band (${band.text})` };
  const worse = rule.direction === 'neither' || (rule.direction === 'higher' ? delta < 0 : delta > 0);
  if (!worse) return { ...row, verdict: 'improved', note: `beyond the noise band (${band.text})` };
  return regression({ ...row, note: `sample: beyond the noise band (${band.text})` }, rule, c, ctx);
}

/** A change for the worse beyond what the gate allows: its severity, or an acknowledgement. */
function regression(row: Row, rule: Rule, c: RunEntry, ctx: Context): Row {
  const ack = acknowledgementFor(ctx.gate, c, row.metric);
  if (ack) {
    ctx.usedAcks.add(ack.index);
    if (acknowledgementHolds(ack, ctx.today)) return { ...row, verdict: 'warn', note: join(row.note, `acknowledged until ${ack.until}: ${ack.reason}`) };
    return { ...row, verdict: rule.severity, note: join(row.note, `acknowledgement expired on ${ack.until} (${ack.reason})`) };
  }
  return { ...row, verdict: rule.severity, note: rule.severity === 'warn' ? join(row.note, 'severity warn in the gate') : row.note };
}

function join(a: string | null, b: string): string {
  return a ? `${a}; ${b}` : b;
}

function timingRows(b: RunEntry, c: RunEntry, ctx: Context, missing: (e: RunEntry, m: string) => void): Row[] {
  const bs = b.results.repeats;
  const cs = c.results.repeats;
  const repeated = !!bs && !!cs && bs.count >= 2 && cs.count >= 2;
  const names = TIMING_NAMES;
  const rows: Row[] = [];
  for (const name of names) {
    const info = timingInfo(name)!;
    const rule = ruleFor(ctx.gate, c, name, info.better);
    const base = { metric: name, tier: 'timing' as const, kind: 'timing' as const, unit: info.unit, better: rule.direction };
    if (repeated) {
      const bx = bs.samples[name];
      const cx = cs.samples[name];
      if (!bx && !cx) continue;
      if (!cx) {
        missing(c, `${name} (repeated samples)`);
        continue;
      }
      if (!bx) {
        rows.push({ ...base, baseline: null, current: mean(cx), delta: null, relative: null, verdict: 'not-gated', note: 'not in the baseline' });
        continue;
      }
      rows.push(testedRow(base, bx, cx, rule, c, ctx));
      continue;
    }
    const bv = bs && bs.samples[name] ? mean(bs.samples[name]) : singleTiming(b.results, name);
    const cv = cs && cs.samples[name] ? mean(cs.samples[name]) : singleTiming(c.results, name);
    if (bv === undefined && cv === undefined) continue;
    ctx.singleSamples = true;
    const delta = bv !== undefined && cv !== undefined ? cv - bv : null;
    rows.push({
      ...base,
      baseline: bv ?? null,
      current: cv ?? null,
      delta,
      relative: delta !== null && bv ? delta / Math.abs(bv) : null,
      verdict: 'not-gated',
      note: bv === undefined ? 'not in the baseline' : cv === undefined ? 'not in the current run' : 'single sample',
    });
  }
  return rows;
}

function statsOf(xs: number[]): SampleStats {
  return { n: xs.length, mean: mean(xs), sd: stddev(xs), median: median(xs), min: Math.min(...xs), max: Math.max(...xs) };
}

/** Regression only when Welch's test is significant AND the change exceeds the minimum effect. */
function testedRow(base: Pick<Row, 'metric' | 'tier' | 'kind' | 'unit' | 'better'>, bx: number[], cx: number[], rule: Rule, c: RunEntry, ctx: Context): Row {
  const w = welchTest(bx, cx);
  const delta = w.meanB - w.meanA;
  const relative = w.meanA !== 0 ? delta / Math.abs(w.meanA) : delta === 0 ? 0 : Infinity;
  const test = { p: w.p, t: w.t, df: w.df, alpha: rule.alpha, minEffect: rule.minEffect, baseline: statsOf(bx), current: statsOf(cx) };
  const row: Row = { ...base, baseline: w.meanA, current: w.meanB, delta, relative: Number.isFinite(relative) ? relative : null, verdict: 'pass', note: null, test };
  const significant = w.p < rule.alpha;
  const big = Math.abs(relative) > rule.minEffect;
  const p = `p ${formatP(w.p)}`;
  if (delta === 0) return row;
  if (!significant) return { ...row, note: `${p} ≥ ${rule.alpha}: within noise` };
  if (!big) return { ...row, note: `${p}, but below the ${pct(rule.minEffect)} minimum effect` };
  const worse = rule.direction === 'neither' || (rule.direction === 'higher' ? delta < 0 : delta > 0);
  if (!worse) return { ...row, verdict: 'improved', note: p };
  return regression({ ...row, note: p }, rule, c, ctx);
}

export function formatP(p: number): string {
  if (p === 0) return '< 1e-16';
  return p < 0.001 ? p.toExponential(1) : p.toFixed(3);
}

const pct = (x: number) => `${+(x * 100).toPrecision(6)}%`;

/** 0.2.0 ranks the deterministic scheduler's pending queue canonically (docs/benchmarks.md): every deterministic counter moved once. */
function schedulerOrderNote(a: string, b: string): string {
  const before = (v: string): boolean => /^0\.1\./.test(v);
  return before(a) !== before(b) ? `: from 0.2.0 the deterministic scheduler ranks its queue canonically, so deterministic counters differ by interleaving, not by a regression` : '';
}

function runWarnings(b: RepeatedResults, c: RepeatedResults): string[] {
  const out: string[] = [];
  const bh = b.workload.hash;
  const ch = c.workload.hash;
  if (bh && ch && bh !== ch) out.push(`the workload changed (hash ${bh.slice(0, 12)} → ${ch.slice(0, 12)}): differences may come from the workload, not the code`);
  const bv = b.tool?.version;
  const cv = c.tool?.version;
  if (bv && cv && bv !== cv) out.push(`made by different qed-bench versions (${bv} → ${cv})${schedulerOrderNote(bv, cv)}`);
  const bf = b.environment?.fingerprint;
  const cf = c.environment?.fingerprint;
  if (bf && cf && bf !== cf) {
    out.push(`different environments (baseline ${bf}; current ${cf}): timings come from different machines; counters under the deterministic scheduler are machine-independent`);
  }
  if (b.timing && c.timing && b.timing !== c.timing) out.push(`timing differs: baseline ${b.timing}, current ${c.timing}`);
  if (b.status === 'interrupted') out.push('the baseline run was interrupted (partial results)');
  if (c.status === 'interrupted') out.push('the current run was interrupted (partial results)');
  return out;
}
