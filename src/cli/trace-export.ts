/** `qed-bench trace-export`: replay a workload and write its L2 table-access stream. */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { runWorkload } from '../replay/runner.js';
import { TableTraceError, TableTraceWriter } from '../cache/table-trace.js';
import { WorkloadError, loadWorkload } from '../workload/load.js';
import { CliUsageError, EXIT_FAILURE, EXIT_OK } from './errors.js';
import { pathArg, setArg, usageOutput, type RegisterCommand } from './options.js';
import type { Output } from './output.js';
import { progressReporter } from './progress.js';
import { EXIT_INTERRUPTED, onInterrupt } from './interrupt.js';

export interface TraceExportOptions {
  workload: string;
  set: string[];
  /** Output prefix: PREFIX.tables and PREFIX.csv. */
  out: string;
  verify: boolean;
  quiet?: boolean;
}

/**
 * Replay a workload (under its own scheduler, on an image file as `run` does) and write its L2
 * table-access stream as it goes; print a one-paragraph summary. Exit 1 if the replay failed
 * its integrity checks (the trace is still written), 130 if interrupted (a partial trace), 2 if
 * the trace files cannot be created or written (a full disk stops the trace, not the replay).
 */
export async function traceExportCommand(o: TraceExportOptions, out: Output): Promise<number> {
  const workloads = await loadWorkload(o.workload, { set: o.set });
  if (workloads.length !== 1) {
    throw new WorkloadError(o.workload, [
      { path: 'matrix', message: `gives ${workloads.length} runs; trace-export writes the trace of one: fix the matrix fields with --set (e.g. --set cache.size=16)` },
    ]);
  }
  const [w] = workloads;
  const trace = await openTrace(o.out);
  const { signal, stop: stopInterrupts } = onInterrupt(out, 'draining requests in flight; the trace so far is kept');
  const progress = progressReporter({ enabled: !o.quiet, label: w.name });
  let outcome;
  try {
    outcome = await runWorkload(w, { verify: o.verify, qemuCheck: false, signal, onProgress: progress.update, onTableAccess: trace.record });
  } finally {
    progress.stop();
    stopInterrupts();
    trace.close();
  }
  const t = trace.counts();
  // The replay ran on; the trace did not: say where it stopped rather than summarize a cut trace.
  if (trace.error) throw new CliUsageError(`${trace.error.message}; recording stopped at L2 table access ${t.accesses}, so ${trace.tablesPath} and ${trace.csvPath} are incomplete`);
  const cache = outcome.total.cache;
  const verdict = outcome.integrity.verdict;
  out.stdout(
    `trace-export: replayed ${w.name} (${outcome.total.requests} requests, ${outcome.timing === 'virtual' ? 'deterministic scheduler, virtual time' : 'wall-clock time'}` +
      `${outcome.status === 'interrupted' ? ', interrupted' : ''}; integrity ${verdict}): ${t.accesses} L2 table accesses, ` +
      `${cache.lookups} lookups (${cache.hits} hits, ${cache.misses} misses; ${cache.policy} cache of ${cache.capacity} tables) and ${t.inserts} new tables, ` +
      `over ${t.distinctTables} distinct tables. Wrote ${trace.tablesPath} (one table id per line) and ${trace.csvPath} (time_ns,table,kind,op).\n`,
  );
  if (signal.aborted) return EXIT_INTERRUPTED;
  return verdict === 'failed' ? EXIT_FAILURE : EXIT_OK;
}

/** Create the prefix's directory and both files; a path that cannot be written is the user's to fix. */
async function openTrace(prefix: string): Promise<TableTraceWriter> {
  const dir = dirname(prefix);
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new CliUsageError(`${dir}: cannot create the directory for the trace (-o ${prefix}): ${(err as Error).message}`);
  }
  try {
    return new TableTraceWriter(prefix);
  } catch (err) {
    if (err instanceof TableTraceError) throw new CliUsageError(err.message);
    throw err;
  }
}

export const registerTraceExport: RegisterCommand = (program, out, setCode) => {
  program
    .command('trace-export')
    .configureOutput(usageOutput(out, 'trace-export'))
    .description("replay a workload and write its L2 table-access stream: PREFIX.tables (one table id per line) and PREFIX.csv (time_ns,table,kind,op)")
    .argument('<workload>', 'workload YAML file')
    .option('--set <key=value>', 'override a workload field, e.g. cache.size=16 (repeatable, each field once)', setArg, [])
    .requiredOption('-o, --out <prefix>', 'output prefix: writes PREFIX.tables and PREFIX.csv', pathArg)
    .option('--no-verify', 'skip read verification and the final read-back (faster)')
    .option('-q, --quiet', 'no progress bar')
    .action(async (workload: string, o) => setCode(await traceExportCommand({ workload, ...o }, out)));
};
