/** `qed-bench stress`: replay once per seed × policy and report the runs that lost data. */
import { readWorkloadText } from '../workload/load.js';
import { availableParallelism } from 'node:os';
import cliProgress from 'cli-progress';
import { isPolicyName, POLICY_NAMES } from '../cache/policies/index.js';
import { onPath } from '../replay/qemu-check.js';
import { stress, type StressRun } from '../experiments/stress.js';
import { formatStress } from '../report/stress-summary.js';
import { CliUsageError, EXIT_FAILURE, EXIT_OK } from './errors.js';
import type { Output } from './output.js';
import { EXIT_INTERRUPTED, onInterrupt } from './interrupt.js';
import { intArg, jobsArg, positiveIntArg, refuseOwnedSets, setArg, usageOutput, type RegisterCommand } from './options.js';

export interface StressCommandOptions {
  workload: string;
  seeds: number;
  firstSeed: number;
  /** Comma-separated policy names. */
  policies: string;
  jobs?: number;
  set: string[];
  json?: boolean;
  qemuCheck?: boolean;
  memory: boolean;
  full?: boolean;
  quiet?: boolean;
}

/** Fields every stress run sets itself, after the user's --set. */
const SEED_WHY = 'each run sets seed and scheduler.seed to its own seed; choose them with --first-seed and --seeds';
const STRESS_OWNED = [
  ['seed', SEED_WHY],
  ['scheduler.seed', SEED_WHY],
  ['scheduler.mode', 'stress always replays under the deterministic scheduler'],
  ['cache.policy', 'each run sets the policy; choose them with --policies'],
] as const;

/**
 * Replay a workload once per seed × policy under the deterministic scheduler and report, per
 * policy, the runs that lost data. Exit 1 if a safe policy (any but fifo-unsafe) failed a run.
 */
export async function stressCommand(o: StressCommandOptions, out: Output): Promise<number> {
  const policies = [...new Set(o.policies.split(',').map((p) => p.trim()).filter(Boolean))];
  if (policies.length === 0) throw new CliUsageError('--policies: name at least one policy, e.g. --policies fifo,fifo-unsafe');
  const unknown = policies.filter((p) => !isPolicyName(p));
  if (unknown.length) throw new CliUsageError(`--policies: unknown policy ${unknown.map((p) => `"${p}"`).join(', ')}; known policies: ${POLICY_NAMES.join(', ')}`);
  if (!Number.isSafeInteger(o.firstSeed + o.seeds) || o.firstSeed + o.seeds - 1 > 0xffffffff) {
    throw new CliUsageError('--first-seed/--seeds: seeds must stay below 2^32');
  }
  // qemu-img can only check files: --qemu-check implies runs on files.
  const memory = o.memory && !o.qemuCheck;
  if (o.qemuCheck && !(await onPath('qemu-img'))) throw new CliUsageError('--qemu-check needs qemu-img on PATH (Debian: apt-get install qemu-utils)');
  refuseOwnedSets('stress', o.set, STRESS_OWNED);
  const text = await readWorkloadText(o.workload);

  const { signal, stop: stopInterrupts } = onInterrupt(out, 'finishing the runs in progress');
  const bar = progressBar(!o.json && !o.quiet, policies);
  let report;
  try {
    report = await stress(
      { text, file: o.workload, set: o.set, firstSeed: o.firstSeed, seeds: o.seeds, policies, memory, full: o.full, qemuCheck: o.qemuCheck === true },
      { jobs: o.jobs ?? availableParallelism(), signal, onRun: bar.update },
    );
  } finally {
    bar.stop();
    stopInterrupts();
  }
  out.stdout(o.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatStress(report)}\n`);
  if (report.policies.some((p) => p.safe && p.failedRuns > 0)) return EXIT_FAILURE;
  return report.status === 'interrupted' ? EXIT_INTERRUPTED : EXIT_OK;
}

/** Runs done of the total, and failures so far per policy; on a terminal only (as `run`'s bar). */
function progressBar(enabled: boolean, policies: string[]): { update: (r: StressRun, done: number, total: number) => void; stop: () => void } {
  if (!enabled || process.stderr.isTTY !== true || process.env.CI) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'stress |{bar}| {value}/{total} runs, {eta_formatted} left; failed: {failed}', hideCursor: true, clearOnComplete: true, etaBuffer: 200 },
    cliProgress.Presets.shades_classic,
  );
  const failed = new Map(policies.map((p) => [p, 0]));
  const label = (): string => [...failed].map(([p, n]) => `${p} ${n}`).join(', ');
  let started = false;
  return {
    update(r, done, total) {
      if (r.verdict !== 'passed') failed.set(r.policy, (failed.get(r.policy) ?? 0) + 1);
      if (!started) {
        bar.start(total, 0, { failed: label() });
        started = true;
      }
      bar.update(done, { failed: label() });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

export const registerStress: RegisterCommand = (program, out, setCode) => {
  program
    .command('stress')
    .configureOutput(usageOutput(out, 'stress'))
    .description('replay a workload under the deterministic scheduler once per seed × cache policy; report per policy the runs that lost data (exit 1 if a safe policy did)')
    .argument('<workload>', 'workload YAML file (e.g. workloads/seed-race-small.yaml)')
    .option('--seeds <n>', 'how many seeds', positiveIntArg, 100)
    .option('--first-seed <s>', 'the first seed (seeds s, s+1, ...; each sets seed and scheduler.seed)', intArg, 1)
    .option('--policies <list>', 'comma-separated cache policies; all but fifo-unsafe must never lose data', 'fifo,fifo-unsafe')
    .option('-j, --jobs <n>', 'worker threads (default: the number of cores; 1 runs in-process; at most 64)', jobsArg)
    .option('--set <key=value>', 'override a workload field, e.g. cache.size=2 (repeatable, each field once; not seed or cache.policy, set per run)', setArg, [])
    .option('--json', 'print the report as JSON (no progress bar)')
    .option('--memory', 'replay on in-memory images, no file I/O (default)')
    .option('--no-memory', 'replay on image files in temp directories')
    .option('--full', 'in-memory images hold every byte and every read is verified (default: metadata-only, lost updates found at the mapping level)')
    .option('--qemu-check', 'run qemu-img check after every run (slow; implies --no-memory)')
    .option('-q, --quiet', 'no progress bar')
    .action(async (workload: string, o) => setCode(await stressCommand({ workload, ...o, memory: o.memory ?? true }, out)));
};
