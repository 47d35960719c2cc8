/** `qed-bench merge`: joins the shard files of `sweep --shard i/n` into one sweep file. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SWEEP_SCHEMA, type SweepResults } from '../metrics/sweep-results.js';
import { mergeSweeps, SweepMergeError } from '../experiments/sweep-merge.js';
import { safePolicyFailed } from '../experiments/sweep.js';
import { parseReportInput, ReportInputError } from '../report/report-inputs.js';
import { formatSweep } from '../report/sweep-table.js';
import { checkOutPath } from './out-path.js';
import { CliUsageError, EXIT_FAILURE, EXIT_OK } from './errors.js';
import { pathArg, usageOutput, type RegisterCommand } from './options.js';
import type { Output } from './output.js';
import { whyUnreadable } from '../util/why-unreadable.js';

export interface MergeCommandOptions {
  files: string[];
  out: string;
  json?: boolean;
  allowMissing?: boolean;
}

export const registerMerge: RegisterCommand = (program, out, setCode) => {
  program
    .command('merge')
    .configureOutput(usageOutput(out, 'merge'))
    .description('join the files of `qed-bench sweep --shard i/n` into one sweep results file and print its table (exit 1 if a safe policy lost data)')
    .argument('<files...>', 'sweep results files (qed-bench/sweep@1) of one sweep')
    .requiredOption('-o, --out <file>', 'the merged sweep results file', pathArg)
    .option('--json', 'print the merged JSON instead of the table')
    .option('--allow-missing', 'write the merge even when cells of the grid are in none of the files')
    .action(async (files: string[], o) => setCode(await mergeCommand({ files, ...o }, out)));
};

export async function mergeCommand(o: MergeCommandOptions, out: Output): Promise<number> {
  checkOutPath(o.out, '-o', [], true);
  const warnings: string[] = [];
  const inputs = await Promise.all(o.files.map(async (file) => ({ file, data: await readSweep(file, warnings) })));
  for (const w of warnings) out.stderr(`qed-bench: merge: warning: ${w}\n`);
  let merged: SweepResults;
  try {
    merged = mergeSweeps(inputs, o.allowMissing === true);
  } catch (err) {
    if (err instanceof SweepMergeError) throw new CliUsageError(err.message);
    throw err;
  }
  await mkdir(dirname(o.out), { recursive: true });
  const json = `${JSON.stringify(merged, null, 2)}\n`;
  await writeFile(o.out, json);
  out.stdout(o.json ? json : `${formatSweep(merged)}\nresults: ${o.out}\n`);
  return safePolicyFailed(merged.runs) ? EXIT_FAILURE : EXIT_OK;
}

/** A sweep@1 file, or a CliUsageError naming the file and what it is instead. */
async function readSweep(file: string, warnings: string[]): Promise<SweepResults> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliUsageError(`${file}: cannot read the sweep file: ${whyUnreadable(err)}`);
  }
  const notSweep = (why: string): CliUsageError =>
    new CliUsageError(`${file}: not a sweep results file (${why}); merge joins the "${SWEEP_SCHEMA}" files that \`qed-bench sweep --shard i/n\` writes`);
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, '')); // as parseReportInput reads it
  } catch {
    readAsReport(text, file, warnings); // names the line and column
    throw notSweep('not JSON');
  }
  const d = data as Partial<SweepResults> | null;
  if (!d || typeof d !== 'object' || Array.isArray(d)) throw notSweep('not a JSON object');
  if (d.schema !== SWEEP_SCHEMA) throw notSweep(typeof d.schema === 'string' ? `its schema is "${d.schema}"` : 'it has no "schema" field');
  const s = d.sweep;
  const grid = s && Array.isArray(s.sizes) && s.sizes.every((x) => Number.isSafeInteger(x)) && Array.isArray(s.policies) && s.policies.every((x) => typeof x === 'string');
  if (!grid) throw notSweep('its sweep.sizes or sweep.policies field is missing or malformed');
  // the runs as `report` checks them: the first bad field by its path
  readAsReport(text, file, warnings);
  return d as SweepResults;
}

/** The file's runs checked as `report` checks them; its errors as usage errors. */
function readAsReport(text: string, file: string, warnings: string[]): void {
  try {
    parseReportInput(text, file, warnings);
  } catch (err) {
    if (err instanceof ReportInputError) throw new CliUsageError(err.message);
    throw err;
  }
}
