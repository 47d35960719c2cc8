/** The qed-bench command line: the command tree, and the entry that runs one command line. */
import { Command, CommanderError } from 'commander';
import { EXIT_OK, EXIT_USAGE, exitCodeFor, formatError } from './cli/errors.js';
import { usageOutput, type RegisterCommand } from './cli/options.js';
import type { Output } from './cli/output.js';
import { limitHeap } from './util/heap-limits.js';

export type { Output };

/**
 * Every command, from its own file in cli/ (which owns its options and help), in the order help
 * lists them. Loaded on demand: a command line that names one loads only its module (a sweep
 * then does not carry the server's, the report's and the compare's code: memory and start-up).
 */
const COMMANDS: Array<[name: string, load: () => Promise<RegisterCommand>]> = [
  ['create', async () => (await import('./cli/create.js')).registerCreate],
  ['info', async () => (await import('./cli/info.js')).registerInfo],
  ['check', async () => (await import('./cli/check.js')).registerCheck],
  ['map', async () => (await import('./cli/map.js')).registerMap],
  ['io', async () => (await import('./cli/io.js')).registerIo],
  ['run', async () => (await import('./cli/run.js')).registerRun],
  ['stress', async () => (await import('./cli/stress.js')).registerStress],
  ['sweep', async () => (await import('./cli/sweep.js')).registerSweep],
  ['merge', async () => (await import('./cli/merge.js')).registerMerge],
  ['mrc', async () => (await import('./cli/mrc.js')).registerMrc],
  ['trace-export', async () => (await import('./cli/trace-export.js')).registerTraceExport],
  ['trace', async () => (await import('./cli/trace.js')).registerTrace],
  ['report', async () => (await import('./cli/report.js')).registerReport],
  ['compare', async () => (await import('./cli/compare.js')).registerCompare],
  ['serve', async () => (await import('./cli/serve.js')).registerServe],
  ['schema', async () => (await import('./cli/schema.js')).registerSchema],
];

/** The command tree (of the command `argv` names, else all of them, for help and suggestions); option names match the command functions' argument fields, so actions only forward. */
async function buildProgram(out: Output, setCode: (code: number) => void, argv: readonly string[]): Promise<Command> {
  const program = new Command('qed-bench')
    .description('Benchmark, inspect and exercise QED disk images with the qed-bench engine')
    .option('--debug', 'print stack traces with errors')
    .exitOverride()
    .configureOutput(usageOutput(out))
    .showSuggestionAfterError();

  // The only global option (--debug) takes no value, so the first other word is the command.
  const named = argv.find((a) => !a.startsWith('-'));
  const one = COMMANDS.find(([name]) => name === named);
  for (const [, load] of one ? [one] : COMMANDS) (await load())(program, out, setCode);

  return program;
}

/** Run one command line (without node and script) in-process; resolves to the exit code. */
export async function run(argv: string[], out: Output): Promise<number> {
  let code = EXIT_OK;
  let program: Command | null = null;
  try {
    program = await buildProgram(out, (c) => (code = c), argv);
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    // Commander has already printed its message (or the help).
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    out.stderr(formatError(err, program?.opts().debug === true || argv.includes('--debug')));
    return exitCodeFor(err);
  }
}

/** The bin's entry: sets the exit code and lets pending output drain instead of calling process.exit. */
export async function main(argv: string[]): Promise<void> {
  limitHeap();
  // A closed pipe (| head) is not a failure: the run goes on and writes its results. stderr too
  // (2>&1 | head): unhandled, its EPIPE killed the run before the results file was written.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') process.exitCode = 1;
    });
  }
  process.exitCode = await run(argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  });
}
