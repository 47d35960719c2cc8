/** The qed-bench command line: the command tree, and the entry that runs one command line. */
import { Command, CommanderError } from 'commander';
import { registerCheck } from './cli/check.js';
import { registerCompare } from './cli/compare.js';
import { registerCreate } from './cli/create.js';
import { EXIT_OK, EXIT_USAGE, exitCodeFor, formatError } from './cli/errors.js';
import { registerInfo } from './cli/info.js';
import { registerIo } from './cli/io.js';
import { registerMap } from './cli/map.js';
import { registerMerge } from './cli/merge.js';
import { registerMrc } from './cli/mrc.js';
import { usageOutput, type RegisterCommand } from './cli/options.js';
import type { Output } from './cli/output.js';
import { registerReport } from './cli/report.js';
import { registerRun } from './cli/run.js';
import { registerSchema } from './cli/schema.js';
import { registerStress } from './cli/stress.js';
import { registerServe } from './cli/serve.js';
import { registerSweep } from './cli/sweep.js';
import { registerTraceExport } from './cli/trace-export.js';
import { registerTrace } from './cli/trace.js';

export type { Output };

/** Every command, from its own file in cli/ (which owns its options and help), in the order help lists them. */
const COMMANDS: RegisterCommand[] = [
  registerCreate,
  registerInfo,
  registerCheck,
  registerMap,
  registerIo,
  registerRun,
  registerStress,
  registerSweep,
  registerMerge,
  registerMrc,
  registerTraceExport,
  registerTrace,
  registerReport,
  registerCompare,
  registerServe,
  registerSchema,
];

/** The command tree; option names match the command functions' argument fields, so actions only forward. */
function buildProgram(out: Output, setCode: (code: number) => void): Command {
  const program = new Command('qed-bench')
    .description('Benchmark, inspect and exercise QED disk images with the qed-bench engine')
    .option('--debug', 'print stack traces with errors')
    .exitOverride()
    .configureOutput(usageOutput(out))
    .showSuggestionAfterError();

  for (const register of COMMANDS) register(program, out, setCode);

  return program;
}

/** Run one command line (without node and script) in-process; resolves to the exit code. */
export async function run(argv: string[], out: Output): Promise<number> {
  let code = EXIT_OK;
  const program = buildProgram(out, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    // Commander has already printed its message (or the help).
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    out.stderr(formatError(err, program.opts().debug === true));
    return exitCodeFor(err);
  }
}

/** The bin's entry: sets the exit code and lets pending output drain instead of calling process.exit. */
export async function main(argv: string[]): Promise<void> {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') process.exitCode = 1; // a closed pipe (| head) is not a failure
  });
  process.exitCode = await run(argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  });
}
