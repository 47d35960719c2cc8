/** `qed-bench sweep`: replay once per cache size × policy into one sweep results file. */
import { readWorkloadText } from '../workload/load.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import cliProgress from 'cli-progress';
import { isPolicyName, POLICY_NAMES } from '../cache/policies/index.js';
import { CACHE_ONLY_SUFFIX, type SweepResults } from '../metrics/sweep-results.js';
import type { Progress } from '../replay/runner.js';
import { safePolicyFailed, shardCells, sweep, sweepGrid, workloadGrid, type Shard, type SweepCell, type SweepRun } from '../experiments/sweep.js';
import { amount, LOG_EVERY_MS, stageName } from './progress.js';
import { formatSweep } from '../report/sweep-table.js';
import { resultsFileStem } from '../util/file-name.js';
import { checkDirectory, checkOutPath } from './out-path.js';
import { CliUsageError, EXIT_FAILURE, EXIT_OK } from './errors.js';
import { cacheSizesArg, jobsArg, pathArg, positiveIntArg, refuseOwnedSets, sampleRateArg, setArg, usageOutput, type RegisterCommand } from './options.js';
import type { Output } from './output.js';
import { EXIT_INTERRUPTED, onInterrupt } from './interrupt.js';
import { addTraceReplayOptions, isTraceFile, refuseTraceOptionsForYaml, traceWorkload, withoutLines, type TraceCliOptions } from './trace-input.js';
import { cacheOnlyKind, cacheOnlySpec } from './sweep-cache-only.js';
import { cacheOnlySweep } from '../experiments/cache-only.js';
import { DEFAULT_CACHE_SIZE } from '../qed/options.js';

export interface SweepCommandOptions extends TraceCliOptions {
  /** Run the trace's L2 table stream through each cache, without the engine (implied for .tables and oracleGeneral). */
  cacheOnly?: boolean;
  workload: string;
  /** Absent: the workload's matrix (or its single value). */
  cacheSize?: number[];
  /** Comma-separated; absent: the workload's matrix (or its single value). */
  policy?: string;
  jobs?: number;
  set: string[];
  out?: string;
  resultsDir: string;
  json?: boolean;
  /** "i/n", 1-based. */
  shard?: string;
  sampleRate: number;
  verify: boolean;
  real?: boolean;
  memory: boolean;
  full?: boolean;
  quiet?: boolean;
}

export const registerSweep: RegisterCommand = (program, out, setCode) => {
  program
    .command('sweep')
    .configureOutput(usageOutput(out, 'sweep'))
    .description('replay a workload once per cache size × policy (deterministic scheduler, in memory, on worker threads); one results file and a table (exit 1 if a safe policy lost data)')
    .argument('<workload>', 'workload YAML file (e.g. workloads/mixed-parallel.yaml), or a block trace (see `qed-bench trace`)')
    .option('--cache-size <list>', "comma-separated cache sizes in tables, e.g. 4,8,16,32,50,128 (default: the workload's matrix or cache.size)", cacheSizesArg)
    .option('--policy <list>', `comma-separated policies (default: the workload's matrix or cache.policy); known: ${POLICY_NAMES.join(', ')}`)
    .option('-j, --jobs <n>', 'worker threads (default: the number of cores; 1 runs in-process; at most 64)', jobsArg)
    .option('--set <key=value>', 'override a workload field, e.g. seed=7 (repeatable, each field once)', setArg, [])
    .option('-o, --out <file>', 'sweep results file (default: results/<name>-sweep-<time>.json)', pathArg)
    .option('--results-dir <dir>', 'where results files go without --out', pathArg, 'results')
    .option('--json', 'print the sweep results JSON instead of the table (no progress bar)')
    .option('--shard <i/n>', 'run only shard i of n (1-based; cell k of the grid goes to shard k mod n + 1); join shards with `qed-bench merge`')
    .option('--sample-rate <r>', "the miss-ratio curve's sampling rate, 0 < r <= 1 (1: exact)", sampleRateArg, 1)
    .option('--no-verify', 'skip read verification and the final read-back (faster; integrity "skipped")')
    .option('--real', "keep the workload's own scheduler (default: deterministic, so numbers compare exactly)")
    .option('--memory', 'replay on in-memory images, no file I/O (default)')
    .option('--no-memory', 'replay on image files in temp directories')
    .option('--full', 'in-memory images hold every byte and reads are verified byte by byte (default: metadata-only, same counters, integrity checked at the mapping level)')
    .option('-q, --quiet', 'no progress bar')
    .option('--cache-only', 'a block trace: run its L2 table stream through each cache without the engine (as .tables and oracleGeneral input always are)');
  addTraceReplayOptions(program.commands.at(-1)!).action(async (workload: string, o) => setCode(await sweepCommand({ workload, ...o, memory: o.memory ?? true }, out)));
};

/**
 * Replay every cell (cache size × policy) of a workload, or of one shard of its grid; write one
 * sweep results file and print the table. Exit 1 if a safe policy failed a run's integrity checks.
 */
export async function sweepCommand(o: SweepCommandOptions, out: Output): Promise<number> {
  refuseTraceOptionsForYaml(o.workload, o);
  refuseOwnedSets('sweep', o.set, [
    ...(o.cacheSize ? [['cache.size', 'each cell sets its size from --cache-size']] as const : []),
    ...(o.policy !== undefined ? [['cache.policy', 'each cell sets its policy from --policy']] as const : []),
    ...(o.real ? [] : [['scheduler.mode', 'sweep replays under the deterministic scheduler unless --real']] as const),
  ]);
  const shard = o.shard === undefined ? null : parseShard(o.shard);
  const listed = { sizes: o.cacheSize ?? null, policies: o.policy === undefined ? null : parsePolicies(o.policy, '--policy') };
  const cacheOnly = cacheOnlyKind(o);
  const text = cacheOnly ? '' : isTraceFile(o.workload) ? (await traceWorkload(o.workload, o)).text : await readWorkloadText(o.workload); // a bare trace gets a default workload
  const fromFile = listed.sizes && listed.policies ? null : cacheOnly ? { sizes: [DEFAULT_CACHE_SIZE], policies: ['fifo'] } : isTraceFile(o.workload) ? withoutLines(o.workload, () => workloadGrid(text, o.workload, o.set)) : workloadGrid(text, o.workload, o.set);
  const sizes = listed.sizes ?? fromFile!.sizes;
  const policies = listed.policies ?? parsePolicies(fromFile!.policies.join(','), `${o.workload}: cache.policy`);

  // Before any replay, creating nothing: an -o that is a directory or the input, or a results directory that cannot be made.
  if (o.out) checkOutPath(o.out, '-o', [o.workload], true);
  else checkDirectory(o.resultsDir, true, (why) => `${o.resultsDir}: cannot create the results directory: ${why} (choose another with -o FILE or --results-dir DIR)`);
  const { signal, stop: stopInterrupts } = onInterrupt(out, 'finishing the runs in progress');
  const bar = sweepProgress(!o.json && !o.quiet, shardCells(sweepGrid(sizes, policies), shard).length);
  let results: SweepResults;
  try {
    results = cacheOnly ? await cacheOnlySweep(cacheOnlySpec(o, cacheOnly, sizes, policies)) : await sweep(
      { text, file: o.workload, set: o.set, sizes, policies, shard, scheduler: o.real ? 'real' : 'deterministic', memory: o.memory, full: o.full, verify: o.verify, sampleRate: o.sampleRate },
      { jobs: o.jobs ?? availableParallelism(), signal, onRun: bar.update, onCellProgress: bar.cell },
    );
  } finally {
    bar.stop();
    stopInterrupts();
  }
  // "w01.oracleGeneral (cache only)" → w01.oracleGeneral.cache-only-sweep-<time>.json (not …_cache_only_-sweep-…).
  const stem = results.sweep.workload.endsWith(CACHE_ONLY_SUFFIX) ? `${results.sweep.workload.slice(0, -CACHE_ONLY_SUFFIX.length)}.cache-only` : results.sweep.workload;
  const path = o.out ?? sweepPath(o.resultsDir, stem, shard);
  await mkdir(dirname(path), { recursive: true });
  const json = `${JSON.stringify(results, null, 2)}\n`;
  await writeFile(path, json);
  out.stdout(o.json ? json : `${formatSweep(results)}\nresults: ${path}\n`);
  if (safePolicyFailed(results.runs)) return EXIT_FAILURE;
  return results.sweep.status === 'interrupted' ? EXIT_INTERRUPTED : EXIT_OK;
}

/** "2/4" → {index: 2, count: 4}; 1 <= index <= count. */
export function parseShard(s: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(s);
  if (!m) throw new CliUsageError(`--shard: "${s}" is not a shard; write i/n, e.g. --shard 2/4 for the second of four shards`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  // Past 2^53 the Number is not the count typed (1/99999999999999999999 ran, shown as 1/1e20).
  if (!Number.isSafeInteger(count)) throw new CliUsageError(`--shard: "${s}": the shard count is too large: at most 2^53 − 1`);
  if (count < 1 || index < 1 || index > count) {
    throw new CliUsageError(`--shard: "${s}": the shard number must be between 1 and the shard count (shards are numbered from 1), e.g. --shard 1/${Math.max(count, 2)}`);
  }
  return { index, count };
}

/** Known policy names, deduplicated, in the order given; `what` names where they came from. */
export function parsePolicies(s: string, what: string): string[] {
  const policies = [...new Set(s.split(',').map((p) => p.trim()).filter(Boolean))];
  if (policies.length === 0) throw new CliUsageError(`${what}: name at least one policy, e.g. --policy fifo,lru`);
  const unknown = policies.filter((p) => !isPolicyName(p));
  if (unknown.length) throw new CliUsageError(`${what}: unknown policy ${unknown.map((p) => `"${p}"`).join(', ')}; known policies: ${POLICY_NAMES.join(', ')}`);
  return policies;
}

/** results/<name>-sweep[-shard-i-of-n]-<time>.json */
function sweepPath(dir: string, name: string, shard: Shard | null): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const part = shard ? `-shard-${shard.index}-of-${shard.count}` : '';
  return join(dir, `${resultsFileStem(name)}-sweep${part}-${stamp}.json`);
}

/** Runs done of the whole sweep, and integrity failures so far; on a terminal only (as `stress`'s bar). */
interface SweepProgress {
  update: (r: SweepRun, done: number) => void;
  /** A running cell's own progress, so a long cell does not look like "0/4 runs" for a minute. */
  cell: (c: SweepCell, p: Progress) => void;
  stop: () => void;
}

/** A bar on a terminal (runs done, and what the running cells are doing); lines in a log. */
function sweepProgress(enabled: boolean, total: number): SweepProgress {
  const none = { update: () => {}, cell: () => {}, stop: () => {} };
  if (!enabled || total === 0) return none;
  const running = new Map<string, string>();
  const key = (c: SweepCell) => `${c.policy} at ${c.size}`;
  const now = () => [...running].map(([k, v]) => `${k}: ${v}`).join('; ') || '-';
  let failed = 0;
  let done = 0;
  const cellDone = (r: SweepRun, n: number) => {
    done = n;
    running.delete(key(r));
    if (r.results.integrity.verdict === 'failed') failed++;
  };
  const cellText = (p: Progress) => `${stageName(p)} ${amount(p)}`.trim();
  if (process.stderr.isTTY !== true || process.env.CI) {
    const started = Date.now();
    const secs = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
    process.stderr.write(`sweep: ${total} runs\n`);
    const timer = setInterval(() => process.stderr.write(`sweep: ${done}/${total} runs after ${secs()}; running: ${now()}\n`), LOG_EVERY_MS);
    timer.unref();
    return {
      update(r, n) {
        cellDone(r, n);
        process.stderr.write(`sweep: ${n}/${total} runs: ${key(r)} done (${r.results.integrity.verdict}) after ${secs()}${failed ? `; failed: ${failed}` : ''}\n`);
      },
      cell: (c, p) => running.set(key(c), cellText(p)),
      stop: () => clearInterval(timer),
    };
  }
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'sweep |{bar}| {value}/{total} runs, {eta_formatted} left; failed: {failed}; {running}', hideCursor: true, clearOnComplete: true, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { failed, running: '-' });
  return {
    update(r, n) {
      cellDone(r, n);
      bar.update(n, { failed, running: now() });
    },
    cell(c, p) {
      running.set(key(c), cellText(p));
      bar.update(done, { failed, running: now() });
    },
    stop: () => bar.stop(),
  };
}
