/**
 * What `qed-bench report` reads: results files (`qed-bench/results@1`), sweep files
 * (`qed-bench/sweep@1`) and directories of them, turned into one list of runs. Only the fields
 * the report draws are checked, so a results file from a later 1.x writer (fields only ever
 * added) still reads; anything else is a ReportInputError naming the file and where.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { RESULTS_SCHEMA, type RunResults } from '../metrics/results.js';
import { SWEEP_SCHEMA } from '../metrics/sweep-results.js';
import { jsonErrorOffset, jsonNestingOffset, lineCol } from '../config/json-position.js';
import { encodingProblem } from '../config/yaml-text.js';
import { whyUnreadable } from '../util/why-unreadable.js';
import { RESULTS_LEVEL, SWEEP_LEVEL, unknownFields, unknownFieldsWarning, type Level } from './unknown-fields.js';

/** One run to report on: where it came from and the cell of the grid it fills. */
export interface ReportRun {
  /** The file, and for a sweep file `runs[i]`. */
  source: string;
  workload: string;
  size: number;
  policy: string;
  results: RunResults;
}

export class ReportInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportInputError';
  }
}

const HOW = 'give results files written by `qed-bench run` or `qed-bench sweep`, or directories of them';

/** Every figure a results file holds is a count, a time, a size or a ratio: none is negative. */
const num = z.number().nonnegative({ message: 'expected a number ≥ 0' });
/** A ratio JSON may carry as null (NaN when there were no lookups). */
const ratio = z.number().nonnegative({ message: 'expected a number ≥ 0 or null' }).nullable();
const latency = z.object({ p50: num, p90: num, p99: num, p999: num, maxNs: num, count: num });
const opMetrics = z.object({ ops: num, latency });
const timePoint = z.object({ t: num, cacheEntries: num });
const metrics = z.object({
  name: z.string(),
  durationMs: num,
  requests: num,
  ops: z.record(z.string(), opMetrics),
  hitRate: ratio,
  metadataReadsPer1000: ratio,
  peakEntries: num,
  peakOverCapacity: num,
  timeSeries: z.array(timePoint),
});
const resultsShape = z.object({
  schema: z.literal(RESULTS_SCHEMA),
  timing: z.string(),
  status: z.string(),
  workload: z.object({ name: z.string(), cache: z.object({ size: num, policy: z.string() }) }),
  phases: z.array(metrics),
  total: metrics,
  integrity: z.object({
    verdict: z.enum(['passed', 'failed', 'skipped']),
    staleReads: num,
    lostWrites: num,
    corruptSectors: num,
    unexpectedData: num,
    check: z.object({ corruptions: num, leaks: num, checkErrors: num }).nullable(),
    qemuCheck: z.object({ exitCode: num, corruptions: num, leaks: num, error: z.string().optional() }).nullable(),
  }),
  // Older results files have no `mrc`: the same as null.
  mrc: z
    .object({ kind: z.string(), sampleRate: num, lookups: num, distinctTables: num, sizes: z.array(num), missRatio: z.array(num) })
    .nullable()
    .optional()
    .refine((m) => !m || m.sizes.length === m.missRatio.length, 'sizes and missRatio must have the same length'),
});
const sweepShape = z.object({
  schema: z.literal(SWEEP_SCHEMA),
  sweep: z.object({ workload: z.string() }),
  runs: z.array(z.object({ size: num, policy: z.string(), results: z.unknown() })),
});

/** Every run in the given files and directories (each directory's *.json, sorted), in order; `warnings` collects a line per file with unknown fields. */
export async function loadReportInputs(paths: string[], warnings?: string[]): Promise<ReportRun[]> {
  const files: string[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    for (const f of await expand(p)) {
      const key = resolve(f);
      if (!seen.has(key)) files.push(f);
      seen.add(key);
    }
  }
  const runs: ReportRun[] = [];
  for (const f of files) runs.push(...parseReportInput(await readText(f), f, warnings));
  if (!runs.length) throw new ReportInputError(`${files.join(', ')}: no runs in ${files.length === 1 ? 'this file' : 'these files'} (a sweep interrupted before its first run?); nothing to report`);
  return runs;
}

/** The runs of one file's text; `file` names it in errors; a warning naming its unknown fields goes to `warnings`. */
export function parseReportInput(text: string, file: string, warnings?: string[]): ReportRun[] {
  const doc = parseJson(text.replace(/^\uFEFF/, ''), file);
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ReportInputError(`${file}: expected a qed-bench results object, found ${Array.isArray(doc) ? 'a list' : JSON.stringify(doc)}; ${HOW}`);
  }
  const schema = (doc as { schema?: unknown }).schema;
  if (schema === RESULTS_SCHEMA) {
    const r = checkResults(doc, file, '');
    warnUnknown(doc, file, RESULTS_LEVEL, warnings);
    return [{ source: file, workload: gridName(r.workload.name), size: r.workload.cache.size, policy: r.workload.cache.policy, results: r }];
  }
  if (schema === SWEEP_SCHEMA) {
    const s = check(sweepShape, doc, file, '');
    const runs = s.runs.map((run, i) => {
      const at = `runs[${i}].results`;
      const r = checkResults(run.results, file, at);
      return { source: `${file} runs[${i}]`, workload: gridName(r.workload.name), size: run.size, policy: run.policy, results: r };
    });
    warnUnknown(doc, file, SWEEP_LEVEL, warnings);
    return runs;
  }
  if (typeof schema === 'string' && /^qed-bench\/(results|sweep)@/.test(schema)) {
    throw new ReportInputError(`${file}: schema "${schema}" is a version this qed-bench does not read (it reads "${RESULTS_SCHEMA}" and "${SWEEP_SCHEMA}"); use the qed-bench that wrote it`);
  }
  const found = schema === undefined ? 'no "schema" field' : `schema ${JSON.stringify(schema)}`;
  throw new ReportInputError(`${file}: not a qed-bench results file (${found}; expected "${RESULTS_SCHEMA}" or "${SWEEP_SCHEMA}"); ${HOW}`);
}

function warnUnknown(doc: unknown, file: string, level: Level, warnings: string[] | undefined): void {
  const w = warnings && unknownFieldsWarning(file, unknownFields(doc, level));
  if (w) warnings.push(w);
}

/**
 * The workload a run belongs to in the grid: `run` names each matrix combination
 * `name[cache.size=8,cache.policy=lru]`; cache size and policy are the grid's axes, so they
 * leave the name (other matrix keys stay: another workload variant).
 */
export function gridName(name: string): string {
  const m = /^(.*)\[(.*)\]$/s.exec(name);
  if (!m) return name;
  const rest = m[2].split(/,(?=[\w.[\]]+=)/).filter((kv) => !/^cache\.(size|policy)=/.test(kv));
  return rest.length ? `${m[1]}[${rest.join(',')}]` : m[1];
}

function checkResults(doc: unknown, file: string, at: string): RunResults {
  const schema = (doc as { schema?: unknown } | null)?.schema;
  if (schema !== RESULTS_SCHEMA) {
    throw new ReportInputError(`${file}: ${at}.schema: expected "${RESULTS_SCHEMA}", found ${JSON.stringify(schema) ?? 'nothing'}`);
  }
  check(resultsShape, doc, file, at);
  return doc as RunResults;
}

/** Validates without stripping: the report reads the original object. */
function check<T>(shape: z.ZodType<T>, doc: unknown, file: string, at: string): T {
  const r = shape.safeParse(doc);
  if (r.success) return doc as T;
  const issue = r.error.issues[0];
  const path = [at, ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))].join('').replace(/^\./, '');
  const found = valueAt(doc, issue.path);
  const what = found === undefined ? 'missing' : `found ${short(found)}`;
  const expected = issue.code === 'invalid_type' ? `expected ${issue.expected}` : issue.message;
  throw new ReportInputError(`${file}: ${path || '(top level)'}: ${expected}, ${what}; the file does not look like one qed-bench wrote (${HOW})`);
}

function valueAt(doc: unknown, path: PropertyKey[]): unknown {
  let v = doc;
  for (const k of path) v = v && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** Results files nest about a dozen levels; far past that is not one we wrote. */
const MAX_JSON_NESTING = 64;

function parseJson(text: string, file: string): unknown {
  const encoding = encodingProblem(text, 'JSON');
  if (encoding) throw new ReportInputError(`${file}: ${encoding.message}; ${HOW}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    const why = (err as Error).message.replace(/ in JSON at position \d+.*$/s, '').replace(/, .*? is not valid JSON$/s, '').replace(/\s+/g, ' ');
    let where = '';
    try {
      const { line, col } = lineCol(text, jsonErrorOffset(text));
      where = `:${line}:${col}`;
    } catch {
      // nested too deeply to scan: name the file only
    }
    throw new ReportInputError(`${file}${where}: not valid JSON (${why}); ${HOW}`);
  }
  const deep = jsonNestingOffset(text, MAX_JSON_NESTING);
  if (deep >= 0) {
    const { line, col } = lineCol(text, deep);
    throw new ReportInputError(`${file}:${line}:${col}: lists and objects nested more than ${MAX_JSON_NESTING} levels deep; the file does not look like one qed-bench wrote (${HOW})`);
  }
  return doc;
}

async function expand(p: string): Promise<string[]> {
  let st;
  try {
    st = await stat(p);
  } catch (err) {
    throw new ReportInputError(`${p}: ${whyUnreadable(err)}; ${HOW}`);
  }
  if (!st.isDirectory()) return [p];
  const names = (await readdir(p)).filter((n) => n.endsWith('.json')).sort();
  if (!names.length) throw new ReportInputError(`${p}: no *.json files in this directory; ${HOW}`);
  return names.map((n) => join(p, n));
}

async function readText(f: string): Promise<string> {
  try {
    return await readFile(f, 'utf8');
  } catch (err) {
    throw new ReportInputError(`${f}: cannot read it (${whyUnreadable(err)}); ${HOW}`);
  }
}

