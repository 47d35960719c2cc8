/**
 * Workload files in, Workloads out: YAML syntax, --set overrides, matrix expansion, schema
 * validation and normalization, every failure a WorkloadError that names file, line and column.
 */
import { closeSync, existsSync, openSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { isMap, type Document, type LineCounter } from 'yaml';
import { probeImageFile } from '../qed/open-file.js';
import { WorkloadError, sortProblems, type Problem } from './errors.js';
import { Locator, fromZod, type Issue, type Origin } from '../config/locate.js';
import { expand, readMatrix } from './matrix.js';
import { traceJobConflicts } from './trace-conflicts.js';
import { normalize, type Env, type ImageInfo } from './normalize.js';
import { applyOverrides, cacheOverrides } from './overrides.js';
import { formatPath } from '../config/paths.js';
import { EXTENSION_PREFIX, MISSING_KEY_EXAMPLES, workloadSchema } from './schema.js';
import type { Workload } from './types.js';
import { whyUnreadable } from '../util/why-unreadable.js';
import { MAX_ALIASES, parseYaml } from '../config/yaml-text.js';

export { WorkloadError } from './errors.js';
export { workloadJsonSchema } from './schema.js';

export interface LoadOptions {
  /** "key.path=value" overrides, applied before the matrix (an overridden key leaves the matrix). */
  set?: readonly string[];
  /** File-system access for image.path and backing files; tests may replace it. */
  env?: Partial<Omit<Env, 'source'>>;
  /**
   * A run's cache size and/or policy, already typed (a sweep cell, a stress run): set after
   * --set, as `--set cache.size=N --set cache.policy=P` would be, without a text round trip.
   */
  cache?: { size?: number; policy?: string };
  /** Refuse a matrix that expands to more runs than this (run's --max-runs), before expanding it. */
  maxRuns?: number;
}

/** Reads, validates and expands a workload file: one Workload per matrix combination. */
export async function loadWorkload(path: string, opts: LoadOptions = {}): Promise<Workload[]> {
  return parseWorkload(await readWorkloadText(path), path, opts);
}

/** Largest workload file read: the shipped ones are a few KiB, and a 50 MiB one took the YAML parser over 20 s. */
export const MAX_WORKLOAD_BYTES = 4 * 1024 * 1024;

/** A workload file's text; an unreadable or oversized file is a WorkloadError naming it. */
export async function readWorkloadText(path: string): Promise<string> {
  let text: string;
  try {
    const st = await stat(path);
    if (st.isFile() && st.size > MAX_WORKLOAD_BYTES) {
      throw new WorkloadError(path, [{ path: '', message: `the file is ${st.size} bytes, more than the ${MAX_WORKLOAD_BYTES} a workload file may have (a trace goes in a job's trace: file, not inline)` }]);
    }
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof WorkloadError) throw err;
    throw new WorkloadError(path, [{ path: '', message: `cannot read the workload file: ${whyUnreadable(err)}` }]);
  }
  return text;
}

/** The same from text; `source` names the file in messages and anchors relative paths. */
export function parseWorkload(text: string, source: string, opts: LoadOptions = {}): Workload[] {
  const { doc, lines, problem } = parseYaml(text, { merge: true });
  if (problem) throw new WorkloadError(source, [problem]);
  if (!isMap(doc.contents)) {
    const found = doc.contents === null ? 'an empty file' : 'a single value or list';
    throw new WorkloadError(source, [{ path: '', line: 1, col: 1, message: `expected a mapping of workload settings (name, image, cache, phases), found ${found}` }]);
  }
  // A test's stand-in file system (its own exists) has no backing files to look into.
  const env: Env = { source, inspectImage, exists: existsSync, inspectBacking: opts.env?.exists ? undefined : inspectBacking, ...opts.env };

  const { origins, problems } = applyOverrides(doc, opts.set ?? [], cacheOverrides(opts.cache ?? {}));
  if (problems.length) throw new WorkloadError(source, problems);
  const matrix = readMatrix(doc, new Set(origins.map((o) => formatPath(o.path))));
  if (matrix.issues.length) raise(source, doc, lines, origins, matrix.issues);
  const count = matrix.dims.reduce((n, d) => n * d.values.length, 1);
  if (opts.maxRuns !== undefined && count > opts.maxRuns) {
    raise(source, doc, lines, origins, [{ path: ['matrix'], message: `expands to ${count} runs (${matrix.dims.map((d) => `${d.values.length} ${d.key}`).join(' × ')}), more than the ${opts.maxRuns} allowed without --max-runs`, hint: `pass --max-runs ${count} to run them all, or shorten the lists` }]);
  }

  return expand(matrix.dims).map((combo) => {
    const run = combo.assignments.length ? doc.clone() : doc;
    for (const a of combo.assignments) run.setIn(a.path, a.node.clone());
    const context = combo.label ? `matrix run ${combo.label}` : undefined;
    const w = build(run, lines, origins, env, source, context);
    return combo.label ? { ...w, name: `${w.name}[${combo.label}]` } : w;
  });
}

function build(doc: Document, lines: LineCounter, origins: Origin[], env: Env, source: string, context?: string): Workload {
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (err) {
    throw new WorkloadError(source, [{ path: '', message: `cannot expand the YAML: ${(err as Error).message}` }], context);
  }
  const conflicts = traceJobConflicts(doc, data);
  const parsed = workloadSchema.safeParse(withoutExtensions(data), { reportInput: true });
  if (!parsed.success) raise(source, doc, lines, origins, [...conflicts, ...fromZod(parsed.error.issues, [], workloadSchema, MISSING_KEY_EXAMPLES)], context);
  const result = normalize(parsed.data, env);
  if (result.issues || conflicts.length) raise(source, doc, lines, origins, [...conflicts, ...(result.issues ?? [])], context);
  return result.workload;
}

/** Top-level `x-` keys are for the user (anchors shared by jobs), as in docker compose files. */
function withoutExtensions(data: unknown): unknown {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return data;
  return Object.fromEntries(Object.entries(data).filter(([k]) => !k.startsWith(EXTENSION_PREFIX)));
}

function raise(source: string, doc: Document, lines: LineCounter, origins: Origin[], issues: Issue[], context?: string): never {
  const locator = new Locator(doc, lines, origins);
  const problems: Problem[] = sortProblems(issues.map((i) => locator.problem(i)));
  throw new WorkloadError(source, problems, context);
}

/** Why a backing file cannot serve as `format`: a directory, unreadable, or (format qed) not QED. */
export function inspectBacking(path: string, format: 'raw' | 'qed'): string | null {
  try {
    if (statSync(path).isDirectory()) return `${path} is a directory`;
    closeSync(openSync(path, 'r'));
  } catch (err) {
    return `cannot open ${path}: ${whyUnreadable(err)}`;
  }
  if (format === 'raw') return null;
  const info = inspectImage(path);
  return 'error' in info ? `format: qed was declared, but it is not a usable QED image: ${info.error}` : null;
}

/** Geometry from an existing image's header, or why the file is not a usable QED image. */
export function inspectImage(path: string): ImageInfo | { error: string } {
  const p = probeImageFile(path);
  if (p.unreadable || !p.header) return { error: p.unreadable ?? p.invalid ?? 'not a QED image' };
  return { size: p.header.imageSize, clusterSize: p.header.clusterSize, tableSize: p.header.tableSize };
}
