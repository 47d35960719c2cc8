/**
 * compare's inputs: a results file, a sweep file, or a directory of them, flattened into runs
 * keyed by workload name + cache size + cache policy. Files are read and checked as `report`
 * reads them; anything unreadable or unknown is a ReportInputError naming the file (exit 2).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RepeatedResults } from '../../metrics/repeats.js';
import { parseReportInput, ReportInputError } from '../report-inputs.js';
import { whyUnreadable } from '../../util/why-unreadable.js';

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
  /** One line per file with fields qed-bench does not write (they are ignored). */
  warnings: string[];
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
      if (!files.length) throw new ReportInputError(`${path}: no *.json results files in this directory`);
    } else {
      files = [path];
    }
  } catch (err) {
    if (err instanceof ReportInputError) throw err;
    throw new ReportInputError(`${path}: cannot read: ${whyUnreadable(err)}`);
  }
  const runs: RunEntry[] = [];
  const warnings: string[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    for (const run of await runsOfFile(file, warnings)) {
      const other = seen.get(run.id);
      if (other) {
        throw new ReportInputError(`${run.file}: run ${run.name} (cache ${run.size}, ${run.policy}) also appears in ${other}; compare needs one run per workload, cache size and policy on each side`);
      }
      seen.set(run.id, run.file);
      runs.push(run);
    }
  }
  return { source: path, files, runs, warnings };
}

/** A file's runs as `report` reads them (same checks and errors), keyed for compare. */
async function runsOfFile(file: string, warnings: string[]): Promise<RunEntry[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ReportInputError(`${file}: cannot read: ${whyUnreadable(err)}`);
  }
  return parseReportInput(text, file, warnings).map(({ results }) => {
    const { name, cache } = results.workload;
    return { id: runId(name, cache.size, cache.policy), name, size: cache.size, policy: cache.policy, file, results: results as RepeatedResults };
  });
}

