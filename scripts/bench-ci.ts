/**
 * bench:ci: replay the CI suite (bench/ci/*.yaml, deterministic, in memory), write one results
 * file per run, and gate them against the committed baseline (results/baseline/) with
 * `qed-bench compare BASELINE CURRENT --gate bench/gate.yaml`; exits with compare's code
 * (0 pass, 1 regression, 2 error). Its Markdown goes to stdout and, when GITHUB_STEP_SUMMARY is
 * set, to the job summary (compare does that).
 *
 *   npm run bench:ci                              # run and gate
 *   npm run bench:ci -- --update-baseline         # run and rewrite results/baseline/ on purpose
 *   npm run bench:ci -- --out DIR                 # keep the current results in DIR
 *   npm run bench:ci -- --format text             # compare's output format (md, text, json)
 *
 * Runs whose baseline failed integrity on purpose (fifo-unsafe reproducing the 2012 race) are
 * checked here, not by compare: they must fail exactly as in the baseline (known-failures.ts).
 * Current results go to DIR/current (a temporary DIR unless --out; DIR/compared/ holds what compare
 * saw), removed when the gate passes and kept (path printed) otherwise.
 */
import { existsSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { run } from '../src/cli.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from '../src/cli/errors.js';
import type { RunResults } from '../src/metrics/results.js';
import { checkKnownFailure, isKnownFailure, knownFailuresMarkdown, type KnownFailure } from './bench-ci/known-failures.js';
import { BASELINE_DIR, GATE_FILE, loadSuite, runSuiteEntry } from './bench-ci/suite.js';
import { benchArgs } from './lib/bench-args.js';

/** compare's exit codes (the CLI's), which bench:ci passes on: 1 is a regression. */
const EXIT_REGRESSION = EXIT_FAILURE;

interface Options {
  updateBaseline: boolean;
  out: string | null;
  format: string | null;
}

function parseOptions(): Options {
  const { values } = benchArgs('bench:ci', {
    options: {
      'update-baseline': { type: 'boolean', default: false },
      out: { type: 'string' },
      format: { type: 'string' },
    },
  });
  return { updateBaseline: values['update-baseline']!, out: values.out ?? null, format: values.format ?? null };
}

const say = (s: string): void => void process.stderr.write(`${s}\n`);
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

function oneLine(r: RunResults, ms: number): string {
  const t = r.total;
  const rec = r.recovery ? `  cut: ${r.recovery.writesUndone} writes undone, recovery ${r.recovery.verdict}` : '';
  return `hit ${pct(t.hitRate)}  loads ${t.cache.loads}  evictions ${t.cache.evictions}  integrity ${r.integrity.verdict}${rec}  (${(ms / 1000).toFixed(1)} s)`;
}

/** Write `results` as `dir/name` files (pretty JSON, newline-terminated). */
async function writeAll(dir: string, results: Map<string, RunResults>): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, r] of results) await writeFile(join(dir, name), `${JSON.stringify(r, null, 2)}\n`);
}

async function jsonFiles(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  return (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
}

/** Relative to the working directory when inside it (compare prints its inputs' paths). */
function shortPath(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : p;
}

/** qed-bench compare in-process; its output goes straight to ours. */
function compare(baseline: string, current: string, format: string | null): Promise<number> {
  // Deterministic counters: any change, better or worse, means the behaviour changed.
  const argv = ['compare', shortPath(baseline), shortPath(current), '--strict-counters'];
  if (existsSync(GATE_FILE)) argv.push('--gate', shortPath(GATE_FILE));
  if (format) argv.push('--format', format);
  return run(argv, { stdout: (s) => void process.stdout.write(s), stderr: (s) => void process.stderr.write(s) });
}

async function main(): Promise<number> {
  const o = parseOptions();
  const t0 = performance.now();
  const suite = await loadSuite();
  const results = new Map<string, RunResults>();
  for (const [i, entry] of suite.entries()) {
    const t = performance.now();
    const r = await runSuiteEntry(entry);
    results.set(entry.resultsFile, r);
    say(`[${String(i + 1).padStart(String(suite.length).length)}/${suite.length}] ${entry.workload.name}  ${oneLine(r, performance.now() - t)}`);
  }
  const wall = ((performance.now() - t0) / 1000).toFixed(1);
  say(`bench:ci: ${suite.length} runs in ${wall} s`);

  const baselineRel = relative(process.cwd(), BASELINE_DIR) || '.';
  if (o.updateBaseline) {
    const stale = (await jsonFiles(BASELINE_DIR)).filter((f) => !results.has(f));
    for (const f of stale) await rm(join(BASELINE_DIR, f));
    await writeAll(BASELINE_DIR, results);
    say(`bench:ci: wrote ${results.size} baseline files to ${baselineRel}${stale.length ? `, removed ${stale.length} (${stale.join(', ')})` : ''}; review with git diff and commit them`);
    return EXIT_OK;
  }
  return gate(o, results, baselineRel);
}

/** Compare with the baseline: known failures here, everything else through `qed-bench compare`. */
async function gate(o: Options, results: Map<string, RunResults>, baselineRel: string): Promise<number> {
  const baseFiles = await jsonFiles(BASELINE_DIR);
  const update = '`npm run bench:ci -- --update-baseline`';
  if (baseFiles.length === 0) {
    say(`bench:ci: no baseline in ${baselineRel}; create it with ${update} and commit it`);
    return EXIT_USAGE;
  }
  const unbased = [...results.keys()].filter((f) => !baseFiles.includes(f));
  const gone = baseFiles.filter((f) => !results.has(f));
  if (unbased.length || gone.length) {
    if (unbased.length) say(`bench:ci: no baseline for ${unbased.join(', ')} (new in bench/ci/?)`);
    if (gone.length) say(`bench:ci: ${baselineRel} has ${gone.join(', ')}, which the suite no longer runs`);
    say(`bench:ci: the suite and the baseline disagree; if bench/ci/ changed on purpose, run ${update} and commit ${baselineRel}`);
    return EXIT_USAGE;
  }

  const work = o.out ?? (await mkdtemp(join(tmpdir(), 'qed-bench-ci-')));
  const current = join(work, 'current');
  await writeAll(current, results);
  const known: KnownFailure[] = [];
  const gatedBase = new Map<string, RunResults>();
  for (const f of baseFiles) {
    const base = JSON.parse(await readFile(join(BASELINE_DIR, f), 'utf8')) as RunResults;
    if (isKnownFailure(base)) known.push(checkKnownFailure(f, base, results.get(f)!));
    else gatedBase.set(f, base);
  }
  let code: number;
  if (known.length === 0) {
    code = await compare(BASELINE_DIR, current, o.format);
  } else {
    // compare fails every integrity failure, so it sees only the runs that passed in the baseline.
    const gatedCur = new Map([...gatedBase.keys()].map((f) => [f, results.get(f)!]));
    await writeAll(join(work, 'compared', 'baseline'), gatedBase);
    await writeAll(join(work, 'compared', 'current'), gatedCur);
    code = await compare(join(work, 'compared', 'baseline'), join(work, 'compared', 'current'), o.format);
    await reportKnownFailures(known, o.format);
    if (code === EXIT_OK && known.some((k) => k.verdict === 'changed')) code = EXIT_REGRESSION;
  }
  if (o.out === null && code === EXIT_OK) await rm(work, { recursive: true, force: true });
  else say(`bench:ci: current results in ${current}`);
  if (code === EXIT_REGRESSION) say(`bench:ci: if this change in behaviour is intended, run ${update} and commit ${baselineRel}`);
  return code;
}

/** Markdown on stdout and in the job summary, after compare's; plain lines on stderr for text/json. */
async function reportKnownFailures(known: KnownFailure[], format: string | null): Promise<void> {
  if (format === null || format === 'md') {
    const md = knownFailuresMarkdown(known);
    process.stdout.write(`\n${md}`);
    if (process.env.GITHUB_STEP_SUMMARY) await appendFile(process.env.GITHUB_STEP_SUMMARY, `\n${md}`);
    return;
  }
  for (const k of known) {
    say(`bench:ci: known failure ${k.name}: ${k.verdict}${k.verdict === 'changed' ? `\n  ${k.differences.join('\n  ')}` : ''}`);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    say(`bench:ci: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = EXIT_USAGE;
  },
);
