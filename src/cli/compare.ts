/** `qed-bench compare`: compare two sets of results, print the verdict, map it to an exit code. */
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Option } from 'commander';
import { compareOutcome, compareRunSets, type CompareOutcome, type CompareReport } from '../report/compare/compare.js';
import { EXPORT_FORMATS, exportCurrent, type ExportFormat } from '../report/compare/exporters.js';
import { formatMarkdown, formatText } from '../report/compare/format.js';
import { EMPTY_GATE, loadGate } from '../report/compare/gate.js';
import { loadRunSet } from '../report/compare/inputs.js';
import { ReportInputError } from '../report/report-inputs.js';
import { formatSideBySide, sideBySide } from '../report/compare/side-by-side.js';
import { checkOutPath } from './out-path.js';
import { CliUsageError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, isInputError } from './errors.js';
import { pathArg, usageOutput, type RegisterCommand } from './options.js';
import type { Output } from './output.js';

export interface CompareCommandOptions {
  baseline: string;
  current: string;
  /** Further files: a side-by-side table of all of them instead of a gated comparison. */
  more?: string[];
  /** `--pair A=B`, repeatable. */
  pair?: string[];
  gate?: string;
  strictCounters?: boolean;
  format: 'md' | 'text' | 'json';
  export?: ExportFormat;
  exportOut?: string;
}

/**
 * Compare two sets of results and gate on them: exit 0 pass (warnings allowed), 1 a
 * regression, 2 bad input or an incomplete comparison. The Markdown summary also goes to
 * $GITHUB_STEP_SUMMARY when set.
 */
export async function compareCommand(o: CompareCommandOptions, out: Output): Promise<number> {
  if (o.export && !o.exportOut) throw new CliUsageError(`--export ${o.export} needs --export-out FILE (where the JSON goes)`);
  if (o.exportOut && !o.export) throw new CliUsageError('--export-out needs --export github-bigger|github-smaller|bencher');
  if (o.exportOut) checkOutPath(o.exportOut, '--export-out', [o.baseline, o.current, ...(o.gate ? [o.gate] : [])], true);
  if (o.more?.length) return sideBySideCommand([o.baseline, o.current, ...o.more], o, out);
  const pairs = (o.pair ?? []).map(parsePair);
  try {
    const gate = o.gate ? await loadGate(o.gate) : EMPTY_GATE;
    const baseline = await loadRunSet(o.baseline);
    const current = await loadRunSet(o.current);
    for (const w of [...baseline.warnings, ...current.warnings]) out.stderr(`qed-bench: compare: warning: ${w}\n`);
    const comparison = compareRunSets(baseline, current, { gate, strictCounters: o.strictCounters === true, pairs });
    const report: CompareReport = { ...comparison, exitCode: EXIT_CODES[compareOutcome(comparison)] };
    const markdown = formatMarkdown(report);
    out.stdout(o.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : o.format === 'text' ? formatText(report) : markdown);
    for (const e of report.errors) out.stderr(`qed-bench: compare: ${e}\n`);
    await appendStepSummary(markdown, out);
    if (o.export && o.exportOut) {
      await mkdir(dirname(o.exportOut), { recursive: true });
      await writeFile(o.exportOut, `${JSON.stringify(exportCurrent(o.export, current.runs, gate), null, 2)}\n`);
    }
    return report.exitCode;
  } catch (thrown) {
    const err = thrown instanceof ReportInputError ? new CliUsageError(thrown.message) : thrown;
    // CI readers look at the step summary, not the log: say there why nothing was compared.
    if (isInputError(err)) await appendStepSummary(`## qed-bench compare: 🛑 error\n\n\`\`\`\n${(err as Error).message}\n\`\`\`\n`, out);
    throw err;
  }
}

const EXIT_CODES: Record<CompareOutcome, number> = { incomplete: EXIT_USAGE, regression: EXIT_FAILURE, pass: EXIT_OK };

/** `--pair A=B`: A a baseline run, B a current run (name/size/policy, or a name unique on its side). */
function parsePair(text: string): [string, string] {
  const eq = text.indexOf('=', text.lastIndexOf(']') + 1);
  const a = eq > 0 ? text.slice(0, eq).trim() : '';
  const b = eq > 0 ? text.slice(eq + 1).trim() : '';
  if (!a || !b) throw new CliUsageError(`--pair ${text}: expected BASELINE=CURRENT, each a run as name/size/policy or a workload name (e.g. --pair mixed-parallel/8/fifo=mixed-parallel/50/fifo)`);
  return [a, b];
}

/** Three or more inputs: one table, a column per input; exit 0, or 2 on unreadable input. */
async function sideBySideCommand(paths: string[], o: CompareCommandOptions, out: Output): Promise<number> {
  for (const flag of ['gate', 'strictCounters', 'export', 'pair'] as const) {
    if (o[flag] !== undefined) throw new CliUsageError(`--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} applies to a comparison of two inputs; with ${paths.length} inputs compare prints them side by side`);
  }
  const sets = [];
  for (const p of paths) sets.push(await loadRunSet(p));
  for (const w of sets.flatMap((s) => s.warnings)) out.stderr(`qed-bench: compare: warning: ${w}\n`);
  const groups = sideBySide(sets);
  out.stdout(o.format === 'json' ? `${JSON.stringify({ inputs: paths, groups: groups.map((g) => ({ ...g, runs: g.runs.map((r) => r && { id: r.id, file: r.file }) })) }, null, 2)}\n` : formatSideBySide(sets, groups, o.format === 'md'));
  return 0;
}

/** GitHub Actions shows this file on the run's page; a failure to write it is only a warning. */
async function appendStepSummary(markdown: string, out: Output): Promise<void> {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  try {
    await appendFile(file, `${markdown}\n`);
  } catch (err) {
    out.stderr(`qed-bench: compare: warning: cannot append to $GITHUB_STEP_SUMMARY (${file}): ${(err as Error).message}\n`);
  }
}

export const registerCompare: RegisterCommand = (program, out, setCode) => {
  program
    .command('compare')
    .configureOutput(usageOutput(out, 'compare'))
    .description('compare results (files, sweep files or directories of them) run by run: baseline, current, change, verdict; exit 0 pass, 1 regression, 2 error')
    .argument('<baseline>', 'results file, sweep file, or a directory of *.json results')
    .argument('<current>', 'the same for the runs to judge')
    .argument('[more...]', 'more inputs: print all of them side by side, one column each (no verdicts)')
    .option('--pair <A=B>', 'compare baseline run A with current run B (name/size/policy or a unique workload name); repeatable', (v: string, acc: string[] = []) => [...acc, v])
    .option('--strict-counters', 'fail any change to a counter, improvements included (for a committed deterministic baseline)')
    .option('--gate <file>', 'gate file (YAML): tolerances, severities, per-workload overrides, acknowledged regressions (docs/compare.md)')
    .addOption(new Option('--format <format>', 'stdout: Markdown, a terminal table, or JSON').choices(['md', 'text', 'json']).default('md'))
    .addOption(new Option('--export <format>', "write the current runs' figures for github-action-benchmark or Bencher").choices([...EXPORT_FORMATS]))
    .option('--export-out <file>', 'where --export writes its JSON', pathArg)
    .action(async (baseline: string, current: string, more: string[], o) => setCode(await compareCommand({ baseline, current, more, ...o }, out)));
};
