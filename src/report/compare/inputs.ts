/**
 * compare's inputs: a results file, a sweep file, or a directory of them, flattened into runs
 * keyed by workload name + cache size + cache policy. Anything unreadable or unknown is a
 * CliUsageError naming the file (exit 2).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CliUsageError } from '../../cli/errors.js';
import { RESULTS_SCHEMA } from '../../metrics/results.js';
import { SWEEP_SCHEMA } from '../../metrics/sweep-results.js';
import type { RepeatedResults } from '../../replay/repeat.js';

export interface RunEntry {
  /** `name/size/policy`: what matches a baseline run with a current one. */
  id: string;
  name: string;
  size: number;
  policy: string;
  /** The file it came from (a sweep file holds many runs). */
  file: string;
  results: RepeatedResults;
}

export interface RunSet {
  /** The path the user gave. */
  source: string;
  files: string[];
  runs: RunEntry[];
}

export function runId(name: string, size: number, policy: string): string {
  return `${name}/${size}/${policy}`;
}

/** Every run in a file or in the *.json files of a directory (not its subdirectories). */
export async function loadRunSet(path: string): Promise<RunSet> {
  let files: string[];
  try {
    if ((await stat(path)).isDirectory()) {
      files = (await readdir(path)).filter((f) => f.endsWith('.json')).sort().map((f) => join(path, f));
      if (!files.length) throw new CliUsageError(`${path}: no *.json results files in this directory`);
    } else {
      files = [path];
    }
  } catch (err) {
    if (err instanceof CliUsageError) throw err;
    throw new CliUsageError(`${path}: cannot read: ${reason(err)}`);
  }
  const runs: RunEntry[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    for (const run of await runsOfFile(file)) {
      const other = seen.get(run.id);
      if (other) {
        throw new CliUsageError(`${run.file}: run ${run.name} (cache ${run.size}, ${run.policy}) also appears in ${other}; compare needs one run per workload, cache size and policy on each side`);
      }
      seen.set(run.id, run.file);
      runs.push(run);
    }
  }
  return { source: path, files, runs };
}

async function runsOfFile(file: string): Promise<RunEntry[]> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const why = err instanceof SyntaxError ? `not valid JSON (${err.message})` : `cannot read: ${reason(err)}`;
    throw new CliUsageError(`${file}: ${why}`);
  }
  const schema = (data as { schema?: unknown } | null)?.schema;
  if (schema === RESULTS_SCHEMA) return [entryOf(file, data, 'the file')];
  if (schema === SWEEP_SCHEMA) {
    const list = (data as { runs?: unknown }).runs;
    if (!Array.isArray(list)) throw new CliUsageError(`${file}: runs: expected a list of sweep runs`);
    return list.map((r: unknown, i) => entryOf(file, (r as { results?: unknown } | null)?.results, `runs[${i}].results`));
  }
  const found = typeof schema === 'string' ? `schema "${schema}"` : 'no schema field';
  throw new CliUsageError(`${file}: not a qed-bench results file (${found}); expected "${RESULTS_SCHEMA}" (qed-bench run) or "${SWEEP_SCHEMA}" (qed-bench sweep)`);
}

/** The fields compare needs to place a run; metrics are checked later, one by one. */
function entryOf(file: string, data: unknown, where: string): RunEntry {
  const r = data as RepeatedResults | null;
  const w = r?.workload;
  const bad = (field: string, expected: string) => new CliUsageError(`${file}: ${where === 'the file' ? '' : `${where}.`}${field}: expected ${expected}`);
  if (!r || typeof r !== 'object') throw new CliUsageError(`${file}: ${where}: expected a results object`);
  if (typeof w?.name !== 'string') throw bad('workload.name', 'the workload name');
  if (typeof w.cache?.size !== 'number') throw bad('workload.cache.size', 'the cache size in tables');
  if (typeof w.cache?.policy !== 'string') throw bad('workload.cache.policy', 'the cache policy');
  if (!r.total || typeof r.total !== 'object') throw bad('total', 'the run\'s metrics');
  if (!r.integrity || typeof r.integrity !== 'object') throw bad('integrity', 'the integrity report');
  return { id: runId(w.name, w.cache.size, w.cache.policy), name: w.name, size: w.cache.size, policy: w.cache.policy, file, results: r };
}

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES') return 'permission denied';
  return (err as Error).message;
}
