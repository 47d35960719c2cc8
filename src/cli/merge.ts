/** `qed-bench merge`: joins the shard files of `sweep --shard i/n` into one sweep file. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SWEEP_SCHEMA, type SweepResults } from '../metrics/sweep-results.js';
import { cellLabel, safePolicyFailed, sweepGrid, sweepWorkloadHash, type Shard, type SweepCell, type SweepRun } from '../replay/sweep.js';
import { parseReportInput, ReportInputError } from '../report/report-inputs.js';
import { formatSweep } from '../report/sweep-table.js';
import { CliUsageError, EXIT_FAILURE, EXIT_OK } from './errors.js';
import { usageOutput, type RegisterCommand } from './options.js';
import type { Output } from './output.js';
import { whyUnreadable } from '../util/why-unreadable.js';

export interface MergeCommandOptions {
  files: string[];
  out: string;
  json?: boolean;
  allowMissing?: boolean;
}

/** How many missing cells an error names; the rest are counted. */
const LISTED_MISSING = 8;

export const registerMerge: RegisterCommand = (program, out, setCode) => {
  program
    .command('merge')
    .configureOutput(usageOutput(out, 'merge'))
    .description('join the files of `qed-bench sweep --shard i/n` into one sweep results file and print its table (exit 1 if a safe policy lost data)')
    .argument('<files...>', 'sweep results files (qed-bench/sweep@1) of one sweep')
    .requiredOption('-o, --out <file>', 'the merged sweep results file')
    .option('--json', 'print the merged JSON instead of the table')
    .option('--allow-missing', 'write the merge even when cells of the grid are in none of the files')
    .action(async (files: string[], o) => setCode(await mergeCommand({ files, ...o }, out)));
};

export async function mergeCommand(o: MergeCommandOptions, out: Output): Promise<number> {
  const inputs = await Promise.all(o.files.map(async (file) => ({ file, data: await readSweep(file) })));
  const merged = mergeSweeps(inputs, o.allowMissing === true);
  await mkdir(dirname(o.out), { recursive: true });
  const json = `${JSON.stringify(merged, null, 2)}\n`;
  await writeFile(o.out, json);
  out.stdout(o.json ? json : `${formatSweep(merged)}\nresults: ${o.out}\n`);
  return safePolicyFailed(merged.runs) ? EXIT_FAILURE : EXIT_OK;
}

/** A sweep@1 file, or a CliUsageError naming the file and what it is instead. */
async function readSweep(file: string): Promise<SweepResults> {
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
    data = JSON.parse(text);
  } catch (err) {
    throw notSweep(`not JSON: ${(err as Error).message}`);
  }
  const d = data as Partial<SweepResults> | null;
  if (!d || typeof d !== 'object' || Array.isArray(d)) throw notSweep('not a JSON object');
  if (d.schema !== SWEEP_SCHEMA) throw notSweep(typeof d.schema === 'string' ? `its schema is "${d.schema}"` : 'it has no "schema" field');
  const s = d.sweep;
  const grid = s && Array.isArray(s.sizes) && s.sizes.every((x) => Number.isSafeInteger(x)) && Array.isArray(s.policies) && s.policies.every((x) => typeof x === 'string');
  if (!grid) throw notSweep('its sweep.sizes or sweep.policies field is missing or malformed');
  // the runs as `report` checks them: the first bad field by its path
  try {
    parseReportInput(text, file);
  } catch (err) {
    if (err instanceof ReportInputError) throw new CliUsageError(err.message);
    throw err;
  }
  return d as SweepResults;
}

/**
 * Shards of one sweep, joined: runs in grid order, every shard listed. Refuses files of another
 * workload or grid, a cell in two places, and (unless allowMissing) a grid with cells in no file.
 */
export function mergeSweeps(inputs: Array<{ file: string; data: SweepResults }>, allowMissing: boolean): SweepResults {
  if (inputs.length === 0) throw new CliUsageError('merge: name at least one sweep file');
  const twice = inputs.find((x, i) => inputs.findIndex((y) => y.file === x.file) !== i);
  if (twice) throw new CliUsageError(`${twice.file}: given twice; name each shard file once`);
  const first = inputs[0];
  const f0 = first.data.sweep;
  let reference: { file: string; hash: string } | null = null;
  const where = new Map<string, string>();
  const runs: SweepRun[] = [];
  for (const { file, data } of inputs) {
    const s = data.sweep;
    const differs = (what: string, a: unknown, b: unknown): CliUsageError =>
      new CliUsageError(`${file}: a different sweep than ${first.file} (${what} ${JSON.stringify(a)}, not ${JSON.stringify(b)}); merge only the shards of one sweep command`);
    if (s.workload !== f0.workload) throw differs('workload', s.workload, f0.workload);
    if (JSON.stringify(s.sizes) !== JSON.stringify(f0.sizes)) throw differs('cache sizes', s.sizes, f0.sizes);
    if (JSON.stringify(s.policies) !== JSON.stringify(f0.policies)) throw differs('policies', s.policies, f0.policies);
    if (s.timing !== f0.timing) throw differs('scheduler', s.timing, f0.timing);
    for (const r of data.runs) {
      const hash = sweepWorkloadHash(r.results);
      reference ??= { file, hash };
      if (hash !== reference.hash) {
        throw new CliUsageError(
          `${file}: its runs replay a different workload than those of ${reference.file} (the workload hashes differ, cache size and policy aside: ` +
            `another seed, --set, workload file or qed-bench version?); merge only the shards of one sweep command`,
        );
      }
      if (!f0.sizes.includes(r.size) || !f0.policies.includes(r.policy)) throw new CliUsageError(`${file}: holds a run (${cellLabel(r)}) outside its own grid`);
      const key = `${r.size}/${r.policy}`;
      const seen = where.get(key);
      if (seen !== undefined) {
        throw new CliUsageError(`${file}: the cell ${cellLabel(r)} is also in ${seen === file ? 'this file' : seen}; each cell must come from one shard (were two files written by the same shard?)`);
      }
      where.set(key, file);
      runs.push(r);
    }
  }
  const grid = sweepGrid(f0.sizes, f0.policies);
  const order = new Map(grid.map((c, k) => [`${c.size}/${c.policy}`, k]));
  runs.sort((a, b) => order.get(`${a.size}/${a.policy}`)! - order.get(`${b.size}/${b.policy}`)!);
  const missing = grid.filter((c) => !where.has(`${c.size}/${c.policy}`));
  if (missing.length && !allowMissing) throw missingError(missing, grid.length, inputs);
  return {
    ...first.data,
    sweep: {
      ...f0,
      shards: mergedShards(inputs.map((x) => x.data.sweep.shards)),
      jobs: Math.max(...inputs.map((x) => x.data.sweep.jobs)),
      elapsedMs: inputs.reduce((t, x) => t + x.data.sweep.elapsedMs, 0),
      status: inputs.every((x) => x.data.sweep.status === 'completed') ? 'completed' : 'interrupted',
    },
    runs,
  };
}

/** Every input's shards (an unsharded file counts as 1/1), once each, by count then index. */
function mergedShards(lists: Array<Shard[] | null>): Shard[] {
  const all = lists.flatMap((l) => l ?? [{ index: 1, count: 1 }]);
  const unique = [...new Map(all.map((s) => [`${s.index}/${s.count}`, { index: s.index, count: s.count }])).values()];
  return unique.sort((a, b) => a.count - b.count || a.index - b.index);
}

function missingError(missing: SweepCell[], total: number, inputs: Array<{ data: SweepResults }>): CliUsageError {
  const listed = missing.slice(0, LISTED_MISSING).map((c) => `${c.size} × ${c.policy}`).join(', ');
  const more = missing.length > LISTED_MISSING ? `, ... (${missing.length - LISTED_MISSING} more)` : '';
  // With one shard count throughout, name the shards not given.
  const counts = new Set(inputs.flatMap((x) => (x.data.sweep.shards ?? []).map((s) => s.count)));
  let hint = '';
  if (counts.size === 1) {
    const n = [...counts][0];
    const have = new Set(inputs.flatMap((x) => (x.data.sweep.shards ?? []).map((s) => s.index)));
    const absent = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !have.has(i));
    if (absent.length) hint = ` (shard${absent.length > 1 ? 's' : ''} ${absent.map((i) => `${i}/${n}`).join(', ')} not given)`;
  }
  return new CliUsageError(
    `merge: ${missing.length} of ${total} cells are in none of the files${hint}: ${listed}${more}; add the missing shard files, or pass --allow-missing to merge what is there`,
  );
}
