/** `qed-bench report`: charts and tables from results and sweep files (HTML or Markdown). */
import { writeFile } from 'node:fs/promises';
import { Option } from 'commander';
import { renderHtml } from '../report/html/page.js';
import { loadReportInputs, ReportInputError } from '../report/report-inputs.js';
import { renderMarkdown } from '../report/report-md.js';
import { duplicateWarnings, groupByWorkload, selectRun } from '../report/report-model.js';
import { checkOutPath } from './out-path.js';
import { CliUsageError, EXIT_OK } from './errors.js';
import { pathArg, usageOutput, type RegisterCommand } from './options.js';
import type { Output } from './output.js';

export interface ReportCommandOptions {
  inputs: string[];
  out?: string;
  format: 'html' | 'md';
  run?: string;
}

/**
 * Charts and tables from results and sweep files: one self-contained HTML file (default
 * report.html) or a Markdown summary (default stdout).
 */
export async function reportCommand(o: ReportCommandOptions, out: Output): Promise<number> {
  if (o.out) checkOutPath(o.out, '-o', o.inputs, true);
  try {
    const warnings: string[] = [];
    const runs = await loadReportInputs(o.inputs, warnings);
    for (const w of warnings) out.stderr(`qed-bench: report: warning: ${w}\n`);
    for (const w of duplicateWarnings(groupByWorkload(runs))) out.stderr(`qed-bench: report: warning: ${w}\n`);
    if (o.format === 'md') {
      if (o.run !== undefined) selectRun(runs, o.run); // a bad --run is an error in both formats
      const text = renderMarkdown(runs);
      if (o.out) await write(o.out, text);
      else out.stdout(text);
      return EXIT_OK;
    }
    const path = o.out ?? 'report.html';
    await write(path, renderHtml(runs, { run: o.run }));
    out.stdout(`report: ${path} (${runs.length} run${runs.length === 1 ? '' : 's'})\n`);
    return EXIT_OK;
  } catch (err) {
    if (err instanceof ReportInputError) throw new CliUsageError(`report: ${err.message}`);
    throw err;
  }
}

async function write(path: string, text: string): Promise<void> {
  try {
    await writeFile(path, text);
  } catch (err) {
    throw new ReportInputError(`cannot write ${path}: ${(err as Error).message}`);
  }
}

export const registerReport: RegisterCommand = (program, out, setCode) => {
  program
    .command('report')
    .configureOutput(usageOutput(out, 'report'))
    .description('charts and tables from results and sweep files: one self-contained HTML file, or Markdown')
    .argument('<results...>', 'results files (qed-bench run), sweep files (qed-bench sweep), or directories of them (every *.json)')
    .option('-o, --out <file>', 'where to write (default: report.html for html, stdout for md)', pathArg)
    .addOption(new Option('--format <format>', 'html: charts in one file; md: tables for a PR or CI summary').choices(['html', 'md']).default('html'))
    .option('--run <name>', 'the run whose cache entries are drawn over time: workload/size/policy or part of it, e.g. lru/16 (default: the largest peak over capacity)')
    .action(async (inputs: string[], o) => setCode(await reportCommand({ inputs, ...o }, out)));
};
