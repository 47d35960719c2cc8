/** A results file (`qed-bench/results@1`): a run's outcome with the tool, environment and workload. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Workload } from '../workload/types.js';
import { environment, gitCommit, type Environment } from './env.js';
import type { RunOutcome } from './run-outcome.js';

export const RESULTS_SCHEMA = 'qed-bench/results@1';

/** One results file: a run of one workload (one matrix combination). See docs/results.md. */
export interface RunResults extends RunOutcome {
  schema: typeof RESULTS_SCHEMA;
  tool: { name: 'qed-bench'; version: string; gitCommit: string | null };
  environment: Environment;
  workload: Workload & { hash: string };
}

/** Our package.json's version; this file runs from src/ (tests) or dist/src/ (the build). */
export function toolVersion(): string {
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'qed-bench') return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return 'unknown';
}

/** sha256 of the workload's canonical JSON (keys sorted), minus where it came from. */
export function workloadHash(w: Workload): string {
  const { source: _source, ...rest } = w;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

export function buildResults(w: Workload, outcome: RunOutcome): RunResults {
  return {
    schema: RESULTS_SCHEMA,
    tool: { name: 'qed-bench', version: toolVersion(), gitCommit: gitCommit() },
    environment: environment(),
    workload: { ...w, hash: workloadHash(w) },
    ...outcome,
  };
}

function canonicalJson(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonicalJson).join(',')}]`;
  if (x && typeof x === 'object') {
    // Undefined fields are absent from the JSON, so they must not change the hash either.
    const keys = Object.keys(x).filter((k) => (x as Record<string, unknown>)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((x as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(x) ?? 'null';
}
