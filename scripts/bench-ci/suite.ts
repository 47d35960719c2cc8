/**
 * The CI suite: every workload in bench/ci/ (each matrix combination a run), replayed in memory
 * under the deterministic scheduler, so a run's results are a pure function of the workload and
 * equal on every machine except for when, where and with which tool build they ran. bench-ci.ts
 * runs it and gates it with `qed-bench compare`; test/bench/ checks entries against the baseline.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { differingLeaves } from '../../src/metrics/diff.js';
import { buildResults, type RunResults } from '../../src/metrics/results.js';
import { runWorkload } from '../../src/replay/runner.js';
import { safeFileName } from '../../src/util/file-name.js';
import { loadWorkload } from '../../src/workload/load.js';
import type { Workload } from '../../src/workload/types.js';

/** The checkout: the nearest ancestor of this file with bench/ci/ (from scripts/ or dist/scripts/). */
export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));
export const SUITE_DIR = join(ROOT, 'bench', 'ci');
export const BASELINE_DIR = join(ROOT, 'results', 'baseline');
export const GATE_FILE = join(ROOT, 'bench', 'gate.yaml');

/** Top-level results fields that differ between identical runs: when, on what, by which build. */
export const VOLATILE_FIELDS = ['startedAt', 'finishedAt', 'environment', 'tool'] as const;
/**
 * What was asked rather than what happened: the resolved workload (and its hash) changes when a
 * new setting with a default joins the schema, without any counter moving.
 */
export const INPUT_FIELDS = ['workload'] as const;

export interface SuiteRun {
  /** The workload file, relative to the checkout (as recorded in results `workload.source`). */
  file: string;
  workload: Workload;
  /** The results file name, the same in the baseline and in every current run. */
  resultsFile: string;
}

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'bench', 'ci')) && existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`bench:ci: no bench/ci/ directory above ${from}`);
  }
}

/** `ci-zipf-read[cache.size=8,cache.policy=lru]` → `ci-zipf-read--cache.size=8,cache.policy=lru.json`. */
export function resultsFileName(workloadName: string): string {
  return `${safeFileName(workloadName.replace(/\[(.*)\]$/, '--$1'))}.json`;
}

/** Every run of the suite, in file order then matrix order. Non-deterministic workloads are refused. */
export async function loadSuite(): Promise<SuiteRun[]> {
  const files = readdirSync(SUITE_DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
  const runs: SuiteRun[] = [];
  for (const f of files) {
    const file = relative(ROOT, join(SUITE_DIR, f)).split('\\').join('/');
    for (const w of await loadWorkload(join(ROOT, file))) {
      if (w.scheduler.mode !== 'deterministic') {
        throw new Error(`${file}: scheduler.mode must be deterministic: bench:ci compares its counters exactly with the baseline`);
      }
      // The absolute path would differ between checkouts; the hash already leaves it out.
      runs.push({ file, workload: { ...w, source: file }, resultsFile: resultsFileName(w.name) });
    }
  }
  const names = new Map<string, string>();
  for (const r of runs) {
    const other = names.get(r.resultsFile);
    if (other) throw new Error(`${r.file} and ${other}: two runs would write ${r.resultsFile}; give the workloads different names`);
    names.set(r.resultsFile, r.file);
  }
  return runs;
}

/**
 * Time-series sample interval, in requests: a point per 1000 requests instead of ~200 per phase
 * keeps the committed baseline small and its diffs readable (nothing gates on the series).
 */
const SAMPLE_EVERY = 1000;

/** Replay one run in memory (no qemu-img check: nothing on disk) and build its results file. */
export async function runSuiteEntry(run: SuiteRun): Promise<RunResults> {
  const outcome = await runWorkload(run.workload, { inMemory: true, qemuCheck: false, sampleEvery: SAMPLE_EVERY });
  return buildResults(run.workload, outcome);
}

/** A results file without its volatile fields: what must repeat exactly. */
export function deterministicPart(results: object): Record<string, unknown> {
  const rest: Record<string, unknown> = { ...results };
  for (const k of VOLATILE_FIELDS) delete rest[k];
  return rest;
}

/** What the run did: the deterministic part without the workload it was asked to run. */
export function outcomePart(results: object): Record<string, unknown> {
  const rest = deterministicPart(results);
  for (const k of INPUT_FIELDS) delete rest[k];
  return rest;
}

/**
 * Where what `current` did differs from what `baseline` did (outcomePart), as
 * `path: baseline → current` lines. Fields the baseline does not have are not compared, so adding
 * a results field does not break an older baseline; a field the current run lost shows as undefined.
 */
export function differences(baseline: object, current: object, limit = 20): string[] {
  return differingLeaves(outcomePart(baseline), outcomePart(current), { keys: 'a', limit }).map((d) => `${d.path}: ${JSON.stringify(d.a)} → ${JSON.stringify(d.b)}`);
}
