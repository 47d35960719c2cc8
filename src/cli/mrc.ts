/** `qed-bench mrc`: the LRU miss-ratio curve of a table trace or of a workload's replay. */
import type { MissRatioCurveReport } from '../cache/mrc.js';
import { missRatioCurveBuilder } from '../cache/shards.js';
import { runWorkload } from '../replay/runner.js';
import { TableTraceError, readTableTrace } from '../cache/table-trace.js';
import { table } from '../report/text-table.js';
import { loadWorkload } from '../workload/load.js';
import { CliUsageError, EXIT_FAILURE, EXIT_OK } from './errors.js';
import { cacheSizesArg, positiveIntArg, sampleRateArg, setArg, usageOutput, type RegisterCommand } from './options.js';
import type { Output } from './output.js';
import { progressReporter } from './progress.js';

export interface MrcCommandOptions {
  input: string;
  /** 1 = exact; below 1 = SHARDS. */
  sampleRate: number;
  /** Fixed-size SHARDS: at most this many sampled tables (table traces only). */
  sampleMax?: number;
  sizes?: number[];
  set: string[];
  /** Move every byte (default for a fresh image: metadata-only). */
  full?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** One curve and where it came from (a workload gives one per matrix combination). */
interface MrcResult {
  input: string;
  /** For workload input: the run whose stream it is, and what its own cache did. */
  workload: { name: string; policy: string; capacity: number; hitRate: number; scheduler: string; inMemory: boolean } | null;
  mrc: MissRatioCurveReport;
}

/** Rows printed without --sizes when the curve has more sizes than this. */
const PRINT_ALL_UP_TO = 32;

export const isWorkloadFile = (path: string): boolean => /\.ya?ml$/i.test(path);

/**
 * The LRU miss-ratio curve of a table trace (.tables, every line a lookup: new tables count as
 * cold misses, as any simulator reading the file sees them) or of a workload's replay (in
 * memory under the deterministic scheduler unless --set says otherwise; new tables occupy the
 * stack without counting as lookups). Prints size → miss ratio, hit ratio. Exit 1 if a replay
 * failed its integrity checks (the curve is still printed: it is the stream that run made).
 */
export async function mrcCommand(o: MrcCommandOptions, out: Output): Promise<number> {
  const extra = o.sizes ?? [];
  let results: MrcResult[];
  let failed: string[] = [];
  if (isWorkloadFile(o.input)) {
    if (o.sampleMax !== undefined) throw new CliUsageError(`--sample-max applies to a table trace, but ${o.input} is a workload; use --sample-rate for a workload's curve`);
    ({ results, failed } = await fromWorkload(o, extra));
  } else {
    if (o.set.length) throw new CliUsageError(`--set applies to a workload file (.yaml), but ${o.input} is a table trace`);
    if (o.sampleMax !== undefined && o.sampleRate !== 1) throw new CliUsageError('--sample-max and --sample-rate < 1 are two SHARDS variants; give one of them');
    const curve = missRatioCurveBuilder(o.sampleRate, o.sampleMax);
    try {
      await readTableTrace(o.input, (t) => curve.access(t));
    } catch (err) {
      if (err instanceof TableTraceError) throw new CliUsageError(err.message);
      throw err;
    }
    results = [{ input: o.input, workload: null, mrc: curve.report(0, extra) }];
  }
  if (o.json) out.stdout(`${JSON.stringify(results.length === 1 ? results[0] : results, null, 2)}\n`);
  else out.stdout(`${results.map((r) => formatCurve(r, o.sizes)).join('\n')}`);
  for (const f of failed) out.stderr(`qed-bench: mrc: ${f}\n`);
  return failed.length ? EXIT_FAILURE : EXIT_OK;
}

/** The curves, and a sentence for each replay that failed its integrity checks. */
async function fromWorkload(o: MrcCommandOptions, extra: number[]): Promise<{ results: MrcResult[]; failed: string[] }> {
  // Deterministic first, so the user's --set may choose otherwise.
  const workloads = await loadWorkload(o.input, { set: ['scheduler.mode=deterministic', ...o.set] });
  const results: MrcResult[] = [];
  const failed: string[] = [];
  for (const [i, w] of workloads.entries()) {
    // An existing image or a backing file needs the file backend; otherwise memory is faster.
    const inMemory = !w.image.path && !w.image.backing;
    // The curve needs only the table stream: metadata-only unless --full or the workload says otherwise.
    const store = inMemory && !o.full ? (w.image.store ?? 'metadata') : 'full';
    const progress = progressReporter({ enabled: !o.json && !o.quiet, label: workloads.length > 1 ? `[${i + 1}/${workloads.length}] ${w.name}` : w.name });
    let outcome;
    try {
      outcome = await runWorkload(w, { inMemory, store, qemuCheck: false, onProgress: progress.update, missRatioCurve: { sampleRate: o.sampleRate, sizes: extra } });
    } finally {
      progress.stop();
    }
    const c = outcome.total.cache;
    const v = outcome.integrity;
    if (v.verdict === 'failed') {
      failed.push(`the replay of ${w.name} (${c.policy} cache of ${c.capacity} tables) failed its integrity checks: ${v.lostWrites} lost, ${v.staleReads} stale, ${v.corruptSectors} corrupt sectors; \`qed-bench run\` gives the full report`);
    }
    results.push({
      input: o.input,
      workload: { name: w.name, policy: c.policy, capacity: c.capacity, hitRate: c.lookups ? c.hits / c.lookups : 0, scheduler: w.scheduler.mode, inMemory },
      mrc: outcome.mrc!,
    });
  }
  return { results, failed };
}

/** A heading and a size / miss ratio / hit ratio table. */
export function formatCurve(r: MrcResult, sizes?: number[]): string {
  const m = r.mrc;
  const what = m.kind === 'exact' ? 'exact LRU miss-ratio curve' : `SHARDS estimate of the LRU miss-ratio curve (sample rate ${m.sampleRate})`;
  const w = r.workload;
  const lines = [
    w
      ? `${what} of ${w.name} (${r.input}; ${w.scheduler} scheduler${w.inMemory ? ', in memory' : ''}): ${m.lookups} lookups, ${m.inserts} new tables, ${m.kind === 'exact' ? '' : '~'}${m.distinctTables} distinct tables`
      : `${what} of ${r.input}: ${m.lookups} table accesses (every line a lookup), ${m.kind === 'exact' ? '' : '~'}${m.distinctTables} distinct tables`,
  ];
  const rows = printedSizes(m, sizes, w?.capacity);
  const at = new Map(m.sizes.map((s, i) => [s, m.missRatio[i]]));
  const body = rows.map((s) => {
    const miss = at.get(s)!;
    return [`${s}${w && s === w.capacity ? ' *' : ''}`, miss.toFixed(4), (1 - miss).toFixed(4)];
  });
  lines.push(...table(['size', 'miss ratio', 'hit ratio'], body, { firstColumn: 'right', rule: false }));
  if (w) lines.push(`* this run's capacity; its own ${w.policy} cache had hit ratio ${w.hitRate.toFixed(4)}`);
  return `${lines.join('\n')}\n`;
}

/** --sizes; else every size of a short curve; else the curve's sizes nearest each power of two, the capacity and the last. */
function printedSizes(m: MissRatioCurveReport, sizes: number[] | undefined, capacity: number | undefined): number[] {
  if (sizes) return sizes;
  if (m.sizes.length <= PRINT_ALL_UP_TO) return m.sizes;
  const pick = new Set<number>();
  for (let p = 1; p <= m.distinctTables; p *= 2) {
    let best = m.sizes[0];
    for (const s of m.sizes) if (Math.abs(s - p) < Math.abs(best - p)) best = s;
    pick.add(best);
  }
  if (capacity !== undefined) pick.add(capacity);
  pick.add(m.sizes.at(-1)!);
  return [...pick].sort((a, b) => a - b);
}

export const registerMrc: RegisterCommand = (program, out, setCode) => {
  program
    .command('mrc')
    .configureOutput(usageOutput(out, 'mrc'))
    .description('LRU miss-ratio curve of a table trace (.tables from trace-export) or of a workload replay (.yaml): miss ratio at every cache size in one pass')
    .argument('<input>', 'a .tables trace (one table id per line) or a workload YAML file')
    .option('--sample-rate <r>', 'SHARDS spatial sampling rate in (0, 1]; 1 is the exact curve', sampleRateArg, 1)
    .option('--sample-max <n>', 'fixed-size SHARDS: at most n sampled tables, the rate lowered as needed (table traces only)', positiveIntArg)
    .option('--sizes <list>', 'cache sizes in tables to print, e.g. 4,8,16 (default: every size of a short curve, else a log spread)', cacheSizesArg)
    .option('--set <key=value>', 'override a workload field, e.g. cache.size=16 (repeatable, each field once; workload input only)', setArg, [])
    .option('--full', 'replay moving every byte and verifying reads (default for a fresh image: metadata-only, same table stream)')
    .option('--json', 'print the curve as JSON (no progress bar)')
    .option('-q, --quiet', 'no progress bar')
    .action(async (input: string, o) => setCode(await mrcCommand({ input, ...o }, out)));
};
