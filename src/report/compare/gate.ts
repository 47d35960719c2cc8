/**
 * The gate file (YAML): per-metric defaults, per-workload overrides and acknowledged
 * regressions with an expiry date. Validated with zod; problems are located (file:line:col and
 * the field) by the workload loader's machinery, so both kinds of file fail the same way.
 */
import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError, sortProblems } from '../../config/errors.js';
import { Locator, fromZod, type Issue } from '../../config/locate.js';
import { didYouMean } from '../../config/suggest.js';
import { mapping, oneOf, scalar } from '../../config/zod.js';
import { Expected, decimal, percent } from '../../config/units.js';
import { ALL_METRIC_NAMES, INTEGRITY_VERDICT, globMatcher, isTimingName, type Better } from './metrics.js';
import { whyUnreadable } from '../../util/why-unreadable.js';
import { MAX_ALIASES, parseYaml } from '../../config/yaml-text.js';

export type Tolerance = { absolute: number } | { relative: number };

/** A rule as written: only what the entry sets. */
export interface RuleFields {
  tolerance?: Tolerance;
  severity?: 'warn' | 'fail';
  direction?: Better;
  minEffect?: number;
  alpha?: number;
}

/** What applies to one metric of one run, defaults filled in. */
export interface Rule {
  tolerance: Tolerance;
  severity: 'warn' | 'fail';
  direction: Better;
  /** Timings: the smallest relative change that counts (0.1 = 10%). */
  minEffect: number;
  /** Timings: Welch's test must give p below this. */
  alpha: number;
}

export const DEFAULT_RULE: Omit<Rule, 'direction'> = { tolerance: { absolute: 0 }, severity: 'fail', minEffect: 0.1, alpha: 0.01 };

export interface Acknowledgement {
  workload: string;
  metric: string;
  /** YYYY-MM-DD, the last day the acknowledgement holds (UTC). */
  until: string;
  reason: string;
  /** Index in the file's list, for messages and "matched nothing" warnings. */
  index: number;
}

interface PatternRules {
  pattern: string;
  matches: (name: string) => boolean;
  rule: RuleFields;
}

export interface GateConfig {
  /** The file, or null for the built-in defaults. */
  source: string | null;
  metrics: PatternRules[];
  workloads: Array<{ pattern: string; matches: (name: string) => boolean; metrics: PatternRules[] }>;
  acknowledge: Acknowledgement[];
}

export const EMPTY_GATE: GateConfig = { source: null, metrics: [], workloads: [], acknowledge: [] };

const TOLERANCE_TEXT = 'an absolute tolerance (a number ≥ 0) or a relative one ("2%")';

function parseTolerance(v: string | number): Tolerance {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) throw new Expected(`expected ${TOLERANCE_TEXT}`);
    return { absolute: v };
  }
  const s = v.trim();
  if (s.endsWith('%')) return { relative: percent(s) / 100 };
  const n = decimal(s);
  if (n === null) throw new Expected(`expected ${TOLERANCE_TEXT}`);
  return { absolute: n };
}

function parseEffect(v: string | number): number {
  if (typeof v === 'number' || !v.trim().endsWith('%')) throw new Expected('expected a percentage such as 10%', 'write the % sign: min_effect is relative');
  return percent(v) / 100;
}

function parseDate(v: string | number): string {
  const s = String(v).trim();
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  const date = d ? new Date(Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]))) : null;
  if (!date || date.toISOString().slice(0, 10) !== s) throw new Expected('expected a date YYYY-MM-DD, e.g. 2026-12-31');
  return s;
}

const DIRECTIONS = ['higher-is-better', 'lower-is-better', 'neither'] as const;

const ruleSchema = mapping('metric settings (tolerance, severity, direction, min_effect, alpha)', {
  tolerance: scalar(TOLERANCE_TEXT, parseTolerance).optional(),
  severity: oneOf(['warn', 'fail']).optional(),
  direction: oneOf(DIRECTIONS).optional(),
  min_effect: scalar('a percentage such as 10%', parseEffect).optional(),
  alpha: z.number({ error: 'expected a significance level between 0 and 1, e.g. 0.01' }).gt(0, { error: 'expected a significance level between 0 and 1, e.g. 0.01' }).lt(1, { error: 'expected a significance level between 0 and 1, e.g. 0.01' }).optional(),
});

const metricRules = z.record(z.string(), ruleSchema, { error: 'expected a mapping of metric name (or glob) to settings' });

const text = (what: string) => z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });

export const gateSchema = mapping('gate settings (metrics, workloads, acknowledge)', {
  metrics: metricRules.optional(),
  workloads: z.record(z.string(), metricRules, { error: 'expected a mapping of workload name (or glob) to metric settings' }).optional(),
  acknowledge: z
    .array(
      mapping('workload, metric, until and reason', {
        workload: text('a workload name or glob'),
        metric: text('a metric name or glob'),
        until: scalar('a date YYYY-MM-DD', parseDate),
        reason: text('why the regression is accepted'),
      }),
      { error: 'expected a list of {workload, metric, until, reason}' },
    )
    .optional(),
});

type RawRule = z.output<typeof ruleSchema>;

/** Largest gate file read: bench/gate.yaml is 2 KiB, and 60,000 metric patterns (2 MiB) took 15 s to check. */
export const MAX_GATE_BYTES = 1024 * 1024;

export async function loadGate(path: string): Promise<GateConfig> {
  let textContent: string;
  try {
    const st = await stat(path);
    if (st.isFile() && st.size > MAX_GATE_BYTES) {
      throw new ConfigError(path, [{ path: '', message: `the file is ${st.size} bytes, more than the ${MAX_GATE_BYTES} a gate file may have (it lists metric patterns; a * covers many metrics)` }]);
    }
    textContent = await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(path, [{ path: '', message: `cannot read the gate file: ${whyUnreadable(err)}` }]);
  }
  return parseGate(textContent, path);
}

/** A gate file's text to a config; every problem a ConfigError naming file:line:col and field. */
export function parseGate(source: string, file: string): GateConfig {
  const { doc, lines, problem } = parseYaml(source);
  if (problem) throw new ConfigError(file, [problem]);
  const data = doc.contents === null ? {} : doc.toJS({ maxAliasCount: MAX_ALIASES });
  const raise = (issues: Issue[]): never => {
    const locator = new Locator(doc, lines);
    throw new ConfigError(file, sortProblems(issues.map((i) => locator.problem(i))));
  };
  // Shape and values (zod) and what metric names mean (ours), all reported at once.
  const parsed = gateSchema.safeParse(data, { reportInput: true });
  const issues = [...(parsed.success ? [] : fromZod(parsed.error.issues, [], gateSchema)), ...meaningIssues(data)];
  if (issues.length) raise(issues);
  const g = parsed.data!;
  const metricsOf = (rules: Record<string, RawRule> | undefined): PatternRules[] =>
    Object.entries(rules ?? {}).map(([pattern, raw]) => ({ pattern, matches: globMatcher(pattern), rule: fieldsOf(raw) }));
  return {
    source: file,
    metrics: metricsOf(g.metrics),
    workloads: Object.entries(g.workloads ?? {}).map(([pattern, rules]) => ({ pattern, matches: globMatcher(pattern), metrics: metricsOf(rules) })),
    acknowledge: (g.acknowledge ?? []).map((a, index) => ({ ...a, index })),
  };
}

const isRecord = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);

/** Unknown metric names and settings that cannot apply, from the raw file (whatever zod thought). */
function meaningIssues(data: unknown): Issue[] {
  if (!isRecord(data)) return [];
  const issues: Issue[] = [];
  const rules = (x: unknown, at: string[]) => {
    if (!isRecord(x)) return;
    for (const [pattern, raw] of Object.entries(x)) issues.push(...checkRule(pattern, isRecord(raw) ? raw : {}, [...at, pattern]));
  };
  rules(data.metrics, ['metrics']);
  if (isRecord(data.workloads)) for (const [w, x] of Object.entries(data.workloads)) rules(x, ['workloads', w]);
  if (Array.isArray(data.acknowledge)) {
    data.acknowledge.forEach((a: unknown, index) => {
      const metric = isRecord(a) ? a.metric : undefined;
      if (typeof metric !== 'string' || !metric) return;
      const path = ['acknowledge', index, 'metric'];
      const unknown = metricIssue(metric, path, false);
      if (unknown) issues.push(unknown);
      else if (metric === INTEGRITY_VERDICT) issues.push({ path, message: 'an integrity failure cannot be acknowledged: it always fails' });
    });
  }
  return issues;
}

function fieldsOf(raw: RawRule): RuleFields {
  const out: RuleFields = {};
  if (raw.tolerance !== undefined) out.tolerance = raw.tolerance;
  if (raw.severity !== undefined) out.severity = raw.severity;
  if (raw.direction !== undefined) out.direction = raw.direction === 'higher-is-better' ? 'higher' : raw.direction === 'lower-is-better' ? 'lower' : 'neither';
  if (raw.min_effect !== undefined) out.minEffect = raw.min_effect;
  if (raw.alpha !== undefined) out.alpha = raw.alpha;
  return out;
}

/** A pattern that names no metric, with the likeliest one meant. */
function metricIssue(pattern: string, path: Array<string | number>, atKey: boolean): Issue | null {
  if (ALL_METRIC_NAMES.some(globMatcher(pattern))) return null;
  const near = didYouMean(pattern, ALL_METRIC_NAMES, 3);
  return {
    path,
    atKey,
    message: `unknown metric "${pattern}"`,
    hint: near ? `did you mean ${near}?` : `metrics: ${ALL_METRIC_NAMES.filter((n) => !isTimingName(n)).join(', ')}, and timings <op>.<iops|mbPerSec|p50|p99> (op: read, write, zero; flush.p50, flush.p99); * and ? are wildcards`,
  };
}

/** Settings that cannot apply to what the pattern names. */
function checkRule(pattern: string, raw: Record<string, unknown>, path: string[]): Issue[] {
  const unknown = metricIssue(pattern, path, true);
  if (unknown) return [unknown];
  const names = ALL_METRIC_NAMES.filter(globMatcher(pattern));
  const issues: Issue[] = [];
  if (names.length === 1 && names[0] === INTEGRITY_VERDICT) {
    for (const k of Object.keys(raw)) {
      issues.push({ path: [...path, k], atKey: true, message: `${INTEGRITY_VERDICT} takes no settings: an integrity failure always fails` });
    }
    return issues;
  }
  if (names.every(isTimingName) && raw.tolerance !== undefined) {
    issues.push({ path: [...path, 'tolerance'], atKey: true, message: 'tolerance applies to counters; timings are gated by min_effect and alpha' });
  }
  if (!names.some(isTimingName)) {
    for (const k of ['min_effect', 'alpha'] as const) {
      if (raw[k] !== undefined) issues.push({ path: [...path, k], atKey: true, message: `${k} applies to timings (<op>.iops, .mbPerSec, .p50, .p99); counters use tolerance` });
    }
  }
  return issues;
}

/**
 * The rule for `metric` of the run `run` (its workload name and its `name/size/policy` id):
 * defaults, then `metrics:` entries that match, then matching `workloads:` entries, each in
 * file order, later settings replacing earlier ones.
 */
export function ruleFor(gate: GateConfig, run: { name: string; id: string }, metric: string, direction: Better): Rule {
  const rule: Rule = { ...DEFAULT_RULE, direction };
  const apply = (list: PatternRules[]) => {
    for (const p of list) if (p.matches(metric)) Object.assign(rule, p.rule);
  };
  apply(gate.metrics);
  for (const w of gate.workloads) if (w.matches(run.name) || w.matches(run.id)) apply(w.metrics);
  return rule;
}

/** Whether the gate file itself sets a tolerance for this run's metric (not only the default). */
export function gateSetsTolerance(gate: GateConfig, run: { name: string; id: string }, metric: string): boolean {
  const sets = (list: PatternRules[]) => list.some((p) => p.matches(metric) && p.rule.tolerance !== undefined);
  return sets(gate.metrics) || gate.workloads.some((w) => (w.matches(run.name) || w.matches(run.id)) && sets(w.metrics));
}

/** The last acknowledgement in the file that covers this run's metric, if any. */
export function acknowledgementFor(gate: GateConfig, run: { name: string; id: string }, metric: string): Acknowledgement | undefined {
  return [...gate.acknowledge].reverse().find((a) => {
    const w = globMatcher(a.workload);
    return (w(run.name) || w(run.id)) && globMatcher(a.metric)(metric);
  });
}

/** Whether an acknowledgement still holds on `today` (YYYY-MM-DD, UTC): through its `until` day. */
export function acknowledgementHolds(a: Acknowledgement, today: string): boolean {
  return today <= a.until;
}
