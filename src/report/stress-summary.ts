/** The terminal summary of `qed-bench stress`, and the command that replays one failing run. */
import type { PolicySummary, StressReport } from '../metrics/stress-results.js';
import { runOverrides } from '../workload/overrides.js';
import { table } from './text-table.js';

/** How many failing seeds the text summary names per policy (the JSON lists more). */
const SHOWN_SEEDS = 5;

/** The command that replays one run of a sweep alone (on a file image, with the full report). */
export function replayCommand(r: Pick<StressReport, 'file' | 'set'>, seed: number, policy: string): string {
  return ['qed-bench run', shellWord(r.file), ...runOverrides(r.set, seed, policy).map((s) => `--set ${shellWord(s)}`)].join(' ');
}

/** The terminal summary of a seed sweep: one row per policy, failing seeds, the verdict. */
export function formatStress(r: StressReport): string {
  const lines: string[] = [];
  const last = r.firstSeed + r.seeds - 1;
  const where = r.memory ? (r.metadataOnly ? 'in memory (metadata-only: integrity at the mapping level)' : 'in memory') : r.qemuCheck ? 'on files, with qemu-img check' : 'on files';
  lines.push(
    `stress ${r.workload}: seeds ${r.firstSeed}..${last} × ${r.policies.map((p) => p.policy).join(', ')}; ${r.completedRuns} runs ${where}, deterministic scheduler, ` +
      `${r.jobs} ${r.jobs === 1 ? 'process' : 'workers'}, ${(r.elapsedMs / 1000).toFixed(1)} s (${r.runsPerSecond.toFixed(1)} runs/s)${r.status === 'interrupted' ? '  [INTERRUPTED]' : ''}`,
  );
  lines.push('');
  const head = ['policy', 'safe', 'runs', 'failed', 'failure rate', 'lost sectors', 'stale reads', 'corrupt', 'leaky runs', 'max peak over cap', 'in-use evictions'];
  lines.push(...table(head, r.policies.map(row)));
  const failing = r.policies.filter((p) => p.failedRuns > 0);
  if (failing.length) {
    lines.push('');
    for (const p of failing) {
      const seeds = p.failures.slice(0, SHOWN_SEEDS).map((f) => String(f.seed));
      const more = p.failedRuns > seeds.length ? `, ... (${p.failedRuns - seeds.length} more)` : '';
      lines.push(`${p.policy}: failing seeds ${seeds.join(', ')}${more}`);
      const f = p.failures[0];
      lines.push(`  seed ${f.seed}: ${f.verdict === 'error' ? `error: ${f.error}` : (f.firstViolation ?? `check found ${f.corruptions} corruptions`)}`);
      lines.push(`  replay: ${replayCommand(r, f.seed, p.policy)}`);
    }
  }
  lines.push('');
  lines.push(...r.policies.map((p) => verdictLine(p)));
  return lines.join('\n');
}

function row(p: PolicySummary): string[] {
  return [
    p.policy,
    p.safe ? 'yes' : 'no',
    String(p.runs),
    String(p.failedRuns) + (p.erroredRuns ? ` (${p.erroredRuns} errors)` : ''),
    rate(p.failureRate),
    String(p.lostWriteSectors),
    String(p.staleReads),
    String(p.corruptSectors + p.unexpectedData + p.corruptions),
    String(p.leakyRuns),
    String(p.maxPeakOverCapacity),
    String(p.evictionsInUse),
  ];
}

function verdictLine(p: PolicySummary): string {
  if (!p.safe) return `${p.policy} (known unsafe): lost data in ${p.failedRuns} of ${p.runs} runs, loss rate ${rate(p.failureRate)}`;
  if (p.failedRuns === 0) return `${p.policy}: intact in ${p.runs === 1 ? 'its 1 run' : `all ${p.runs} runs`}`;
  return `${p.policy}: FAILED in ${p.failedRuns} of ${p.runs} runs (${rate(p.failureRate)}); a safe policy must never lose data`;
}

const rate = (x: number): string => `${(x * 100).toFixed(2)}%`;

function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
