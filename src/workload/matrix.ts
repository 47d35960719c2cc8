/**
 * `matrix:` expands one workload into one run per combination of values. Each value is the
 * YAML node from the matrix itself, so a bad value is reported at its own line.
 */
import { isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { Issue } from '../config/locate.js';
import { fromZod } from '../config/locate.js';
import { checkField, formatPath, parsePath, type PathSeg } from '../config/paths.js';
import { MISSING_KEY_EXAMPLES, matrixSchema, workloadSchema } from './schema.js';

/** More runs than this is almost certainly a mistake (and would take days). */
export const MAX_COMBINATIONS = 10_000;

export interface Dimension {
  /** The key as written: "cache.size". */
  key: string;
  path: PathSeg[];
  values: Node[];
}

export interface Combination {
  /** "cache.size=8,cache.policy=fifo"; empty without a matrix. */
  label: string;
  assignments: Array<{ path: PathSeg[]; node: Node }>;
}

/** The matrix's dimensions, minus those an override fixes (`fixed`, as formatted paths). */
export function readMatrix(doc: Document, fixed: Set<string>): { dims: Dimension[]; issues: Issue[] } {
  const node = doc.get('matrix', true) as Node | undefined;
  if (node === undefined || (isScalar(node) && node.value === null)) return { dims: [], issues: [] };
  const parsed = matrixSchema.safeParse(node.toJSON(), { reportInput: true });
  if (!parsed.success) return { dims: [], issues: fromZod(parsed.error.issues, ['matrix'], workloadSchema, MISSING_KEY_EXAMPLES) };
  if (!isMap(node)) return { dims: [], issues: [] };

  const dims: Dimension[] = [];
  const issues: Issue[] = [];
  for (const pair of node.items) {
    const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const at = ['matrix', key];
    const path = parsePath(key);
    if (!path) {
      issues.push({ path: at, message: 'expected a field path such as cache.size or phases[0].jobs[0].iodepth', atKey: true, input: key });
      continue;
    }
    const bad = checkField(workloadSchema, doc, path);
    if (bad) {
      issues.push({ path: at, ...bad, atKey: true });
      continue;
    }
    if (fixed.has(formatPath(path)) || !isSeq(pair.value)) continue;
    const values = pair.value.items as Node[];
    const seen = new Map<string, number>();
    values.forEach((v, i) => {
      const shown = show(v);
      if (seen.has(shown)) issues.push({ path: [...at, i], message: `${shown} is listed twice; each combination would run twice` });
      seen.set(shown, i);
    });
    dims.push({ key, path, values });
  }
  const count = dims.reduce((n, d) => n * d.values.length, 1);
  if (count > MAX_COMBINATIONS) {
    issues.push({ path: ['matrix'], message: `${count} combinations is more than the ${MAX_COMBINATIONS} allowed`, hint: 'split the matrix over several files' });
  }
  return { dims, issues };
}

/** Every combination, the first key varying slowest (as nested loops in file order). */
export function expand(dims: Dimension[]): Combination[] {
  let combos: Combination[] = [{ label: '', assignments: [] }];
  for (const d of dims) {
    combos = combos.flatMap((c) =>
      d.values.map((node) => ({
        label: c.label ? `${c.label},${d.key}=${show(node)}` : `${d.key}=${show(node)}`,
        assignments: [...c.assignments, { path: d.path, node }],
      })),
    );
  }
  return combos;
}

/** A value as it reads in a run name: 8, fifo, 16G; collections as compact JSON. */
function show(node: Node): string {
  if (isScalar(node)) return String(node.value);
  return JSON.stringify(node.toJSON());
}
