/** `qed-bench run`: replay a workload file, write its results files, print the summary. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { buildResults } from '../metrics/results.js';
import { formatRepeats } from '../report/compare/repeats-summary.js';
import { formatSummary } from '../report/summary.js';
import { countersDifferWarning, repeatWorkload, type RepeatedResults } from '../experiments/repeat.js';
import { runWorkload } from '../replay/runner.js';
import { resultsFileStem } from '../util/file-name.js';
import { loadWorkload, parseWorkload } from '../workload/load.js';
import { addTraceReplayOptions, isTraceFile, refuseTraceOptionsForYaml, traceWorkload, withoutLines, type TraceCliOptions } from './trace-input.js';
import type { Workload } from '../workload/types.js';
import { checkDirectory, checkOutPath } from './out-path.js';
import { CliUsageError, EXIT_FAILURE, EXIT_OK } from './errors.js';
import type { Output } from './output.js';
import { EXIT_INTERRUPTED, onInterrupt } from './interrupt.js';
import { progressReporter } from './progress.js';
import { boundedIntArg, pathArg, positiveIntArg, setArg, usageOutput, type RegisterCommand } from './options.js';

export interface RunCommandOptions extends TraceCliOptions {
  workload: string;
  set: string[];
  json?: boolean;
  out?: string;
  resultsDir: string;
  verify: boolean;
  /** Replay in memory keeping only metadata bytes (image.store: metadata). */
  metadataOnly?: boolean;
  qemuCheck?: boolean;
  keepImage?: boolean;
  quiet?: boolean;
  /** Replay each combination this many times; the results file keeps every timing sample. */
  repeat?: number;
  /** Repair a corrupt image.path before the replay instead of refusing it. */
  repair?: boolean;
  /** The most matrix runs replayed without asking (default DEFAULT_MAX_RUNS). */
  maxRuns?: number;
}

/** A matrix that expands past this many runs is refused unless --max-runs allows it. */
export const DEFAULT_MAX_RUNS = 256;


/**
 * Replay a workload file (every matrix combination in turn), write one results file per run,
 * print the summary (or the results JSON). Exit 1 if any run failed its integrity checks.
 */
export async function runCommand(o: RunCommandOptions, out: Output): Promise<number> {
  refuseTraceOptionsForYaml(o.workload, o);
  const trace = isTraceFile(o.workload) ? await traceWorkload(o.workload, o) : null; // a bare trace gets a default workload
  const loadOptions = { set: o.set, maxRuns: o.maxRuns ?? DEFAULT_MAX_RUNS };
  const workloads = trace ? withoutLines(trace.file, () => parseWorkload(trace.text, trace.file, loadOptions)) : await loadWorkload(o.workload, loadOptions);
  if ((o.repeat ?? 1) > 1) refuseSharedImage(o.workload, workloads);
  for (const w of workloads) refuseMetadataContradictions(o, w);
  for (let i = 0; i < workloads.length; i++) resultsPathUsable(resultsPath(o, workloads[i], i, workloads.length), o.out ? '-o' : '--results-dir', inputsOf(o.workload, workloads[i]));
  const { signal, stop: stopInterrupts } = onInterrupt(out, 'draining requests in flight and writing partial results');
  const all: RepeatedResults[] = [];
  try {
    for (const [i, w] of workloads.entries()) {
      if (signal.aborted) break;
      if (o.keepImage) w.image.keep = true;
      const label = workloads.length > 1 ? `[${i + 1}/${workloads.length}] ${w.name}` : w.name;
      const repeat = o.repeat ?? 1;
      const runOnce = async (r: number) => {
        const progress = progressReporter({ enabled: !o.json && !o.quiet, label: repeat > 1 ? `${label} (repeat ${r + 1}/${repeat})` : label });
        try {
          return await runWorkload(w, { verify: o.verify, ...(o.metadataOnly ? { store: 'metadata' as const } : {}), qemuCheck: o.qemuCheck ?? 'auto', signal, onProgress: progress.update, repair: o.repair });
        } finally {
          progress.stop();
        }
      };
      let results: RepeatedResults;
      if (repeat > 1) {
        const combined = await repeatWorkload(w, repeat, runOnce, signal);
        results = combined.results;
        if (results.timing === 'virtual' && combined.differences.length) {
          out.stderr(countersDifferWarning(w.name, combined.differences));
        }
      } else {
        results = buildResults(w, await runOnce(0));
      }
      all.push(results);
      const path = resultsPath(o, w, i, workloads.length);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, `${JSON.stringify(results, null, 2)}\n`);
      if (!o.json) {
        out.stdout(`${formatSummary(results)}${results.repeats ? `\n\n${formatRepeats(results.repeats)}` : ''}\nresults: ${path}${results.image.kept ? `\nimage kept: ${results.image.path}` : ''}\n\n`);
      }
    }
  } finally {
    stopInterrupts();
  }
  if (o.json) out.stdout(`${JSON.stringify(all.length === 1 ? all[0] : all, null, 2)}\n`);
  if (signal.aborted) return EXIT_INTERRUPTED;
  return all.some((r) => r.integrity.verdict === 'failed') ? EXIT_FAILURE : EXIT_OK;
}

/**
 * Before any replay, and creating nothing yet: a results file that is a directory or the input,
 * or whose directory cannot be made, is an error naming it, not a lost run (or a lost input).
 */
function resultsPathUsable(path: string, flag: string, inputs: string[]): void {
  if (flag === '-o') {
    checkOutPath(path, '-o', inputs, true);
    return;
  }
  checkDirectory(dirname(path), true, (why) => `${dirname(path)}: cannot create the results directory: ${why} (choose another with -o FILE or --results-dir DIR)`);
}

/** The files a run reads or writes besides its results: the workload (or trace), the image, its backing file and every job's trace. */
function inputsOf(source: string, w: Workload): string[] {
  const files = [source];
  if (w.image.path) files.push(w.image.path);
  if (w.image.backing) files.push(w.image.backing.file);
  for (const phase of w.phases) for (const job of phase.jobs) if (job.trace) files.push(job.trace.file);
  return files;
}

/**
 * A metadata-only replay (--metadata-only or image.store: metadata) runs on a fresh in-memory
 * image: options about an image file contradict it, and would otherwise be silently ignored.
 */
function refuseMetadataContradictions(o: RunCommandOptions, w: Workload): void {
  if (!o.metadataOnly && w.image.store !== 'metadata') return;
  const mode = o.metadataOnly ? '--metadata-only' : `${o.workload}: image.store: metadata`;
  const clash = [
    o.qemuCheck === true && '--qemu-check (there is no image file for qemu-img to check)',
    o.keepImage && '--keep-image (there is no image file to keep)',
    o.repair && '--repair (there is no existing image to repair)',
    w.image.path && `image.path ${w.image.path} (it replays on a fresh in-memory image, not on a file)`,
    w.image.backing && `image.backing (it has no backing data)`,
    w.image.keep && !w.image.path && !o.keepImage && 'image.keep (there is no image file to keep)',
    w.image.cache === 'none' && 'image.cache: none (there is no file to open with O_DIRECT)',
  ].filter(Boolean);
  if (clash.length) throw new CliUsageError(`${mode} contradicts ${clash.join(', ')}: a metadata-only replay runs in memory; drop one of them`);
}

/**
 * Repeats on one existing image are not repeats: the first allocates clusters and tables, the
 * later ones overwrite what it allocated, so their timings measure a different workload.
 */
function refuseSharedImage(file: string, workloads: Workload[]): void {
  const shared = workloads.find((w) => w.image.path);
  if (!shared) return;
  throw new CliUsageError(`${file}: image.path (${shared.image.path}) cannot be used with --repeat > 1: every repeat would replay on the same image, the first allocating and the later ones overwriting, so their timing samples would not be comparable; remove image.path (each repeat then gets a fresh image) or run without --repeat`);
}

/** --out names the file (numbered when a matrix gives several runs); else results/<name>.<time>.json (resultsFileStem). */
function resultsPath(o: RunCommandOptions, w: Workload, index: number, count: number): string {
  if (o.out) return count === 1 ? o.out : o.out.replace(/(\.json)?$/, `-${index + 1}.json`);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return join(o.resultsDir, `${resultsFileStem(w.name)}.${stamp}.json`);
}

export const registerRun: RegisterCommand = (program, out, setCode) => {
  const run = program
    .command('run')
    .configureOutput(usageOutput(out, 'run'))
    .description('replay a workload file against a fresh (or given) image; writes a results file and prints a summary')
    .argument('<workload>', 'workload YAML file (see workloads/ and `qed-bench schema`), or a block trace (see `qed-bench trace`)')
    .option('--set <key=value>', 'override a workload field, e.g. cache.size=16 (repeatable, each field once)', setArg, [])
    .option('--json', 'print the results JSON instead of the summary (no progress bar)')
    .option('-o, --out <file>', 'results file (default: results/<name>.<time>.json)', pathArg)
    .option('--results-dir <dir>', 'where results files go without --out', pathArg, 'results')
    .option('--no-verify', 'skip read verification and the final read-back (faster; integrity "skipped")')
    .option('--metadata-only', 'replay in memory keeping only header, L1 and L2 bytes: same counters and virtual latencies; integrity checked at the mapping level, not byte by byte (image.store: metadata)')
    .option('--qemu-check', 'require qemu-img check after the replay (default: run it when qemu-img is on PATH)')
    .option('--no-qemu-check', 'never run qemu-img check')
    .option('--keep-image', 'keep the created image after the run')
    .option('-q, --quiet', 'no progress bar')
    .option('--repeat <n>', 'replay each combination n times (at most 10000); the results file keeps every timing sample (repeats) for compare', boundedIntArg(10000, 'the most repeats of a combination'))
    .option('--max-runs <n>', 'allow a matrix of more than 256 runs', positiveIntArg)
    .option('--repair', 'repair a corrupt image.path before the replay (default: refuse it; nothing is written)');
  // A trace in place of the workload.
  addTraceReplayOptions(run).action(async (workload: string, o) => setCode(await runCommand({ workload, ...o }, out)));
};
