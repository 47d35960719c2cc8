import { Command, CommanderError, Option } from 'commander';
import { POLICY_NAMES } from './cache/policies/index.js';
import { ALLOCATION_MODES, DEFAULT_CACHE_SIZE } from './qed/image.js';
import { CACHE_MODES, DEFAULT_CACHE_MODE, DEFAULT_IO_MODE, IO_MODES } from './io/file-backend.js';
import { checkCommand } from './cli/check.js';
import { createCommand } from './cli/create.js';
import { EXIT_OK, EXIT_USAGE, exitCodeFor, formatError } from './cli/errors.js';
import { infoCommand } from './cli/info.js';
import { ioCommand } from './cli/io.js';
import { mapCommand } from './cli/map.js';
import { collect, intArg, positiveIntArg, sizeArg, usageOutput } from './cli/options.js';
import type { Output } from './cli/output.js';
import { registerCompare } from './cli/compare.js';
import { registerMerge } from './cli/merge.js';
import { registerMrc } from './cli/mrc.js';
import { registerReport } from './cli/report.js';
import { registerSweep } from './cli/sweep.js';
import { registerTraceExport } from './cli/trace-export.js';
import { runCommand } from './cli/run.js';
import { stressCommand } from './cli/stress.js';
import { workloadJsonSchema } from './workload/load.js';

export type { Output };

/** The command tree; option names match the command functions' argument fields, so actions only forward. */
function buildProgram(out: Output, setCode: (code: number) => void): Command {
  const program = new Command('qed-bench')
    .description('Benchmark, inspect and exercise QED disk images with the qed-bench engine')
    .option('--debug', 'print stack traces with errors')
    .exitOverride()
    .configureOutput(usageOutput(out))
    .showSuggestionAfterError();

  program
    .command('create')
    .configureOutput(usageOutput(out, 'create'))
    .description('create an empty QED image (replaces an existing file)')
    .argument('<image>', 'image file to create')
    .argument('[size]', 'virtual size: 512, 4k, 64K, 1M, 2G, 1T... (default: the backing file size)', sizeArg)
    .option('-c, --cluster-size <size>', 'cluster size, a power of two from 4k to 64M (default 64k)', sizeArg)
    .option('-t, --table-size <clusters>', 'L1/L2 table size in clusters: 1, 2, 4, 8 or 16 (default 4)', intArg)
    .option('-b, --backing <file>', 'backing file (relative names resolve beside the image)')
    .addOption(new Option('-F, --backing-format <format>', 'backing file format (default: probe)').choices(['raw', 'qed']))
    .option('--json', 'print what was created as JSON')
    .action(async (image: string, size: number | undefined, o) => setCode(await createCommand({ image, size, ...o }, out)));

  program
    .command('info')
    .configureOutput(usageOutput(out, 'info'))
    .description('show the header, geometry and allocation of an image (read-only)')
    .argument('<image>', 'QED image')
    .option('--json', 'print JSON')
    .action(async (image: string, o) => setCode(await infoCommand({ image, ...o }, out)));

  program
    .command('check')
    .configureOutput(usageOutput(out, 'check'))
    .description('check an image for consistency, as qemu-img check (exit 0 clean, 1 check failed, 2 corruptions, 3 leaks)')
    .argument('<image>', 'QED image')
    .option('--repair', 'fix corruptions that can be fixed (opens the image for writing)')
    .option('--json', 'print JSON shaped like qemu-img check --output=json')
    .action(async (image: string, o) => setCode(await checkCommand({ image, ...o }, out)));

  program
    .command('map')
    .configureOutput(usageOutput(out, 'map'))
    .description('print the allocation map of the virtual disk (read-only)')
    .argument('<image>', 'QED image')
    .option('--json', 'print JSON: [{start, length, kind, offset}]')
    .action(async (image: string, o) => setCode(await mapCommand({ image, ...o }, out)));

  program
    .command('io')
    .configureOutput(usageOutput(out, 'io'))
    .description('run qemu-io style commands: read, write, aio_read, aio_write, aio_flush, flush, zero, truncate')
    .argument('<image>', 'QED image')
    .option('-c, --cmd <command>', "a command, e.g. 'write -P 0xab 0 64k' (repeatable)", collect, [])
    .option('--cache-size <tables>', `L2 cache capacity in tables (default ${DEFAULT_CACHE_SIZE})`, positiveIntArg)
    .addOption(new Option('--cache-policy <policy>', 'L2 cache eviction policy').choices(POLICY_NAMES).default('fifo'))
    .addOption(new Option('--allocation <mode>', 'allocating writes: serial (one at a time, as QEMU) or parallel (per L2 table)').choices(ALLOCATION_MODES).default('serial'))
    .addOption(new Option('--io <path>', 'file I/O path: auto, async (libuv pool), sync (blocking, as fio psync), ring (worker threads on shared memory), adaptive (sync while page-cached, ring when not)').choices(IO_MODES).default(DEFAULT_IO_MODE))
    .addOption(new Option('--cache <mode>', "writeback (page cache) or none (O_DIRECT, QEMU's cache=none; io auto or ring)").choices(CACHE_MODES).default(DEFAULT_CACHE_MODE))
    .option('-r, --read-only', 'open the image read-only')
    .option('--json', 'print {commands, engine, cache} as JSON at the end')
    .action(async (image: string, o) => setCode(await ioCommand({ image, ...o }, out)));

  program
    .command('run')
    .configureOutput(usageOutput(out, 'run'))
    .description('replay a workload file against a fresh (or given) image; writes a results file and prints a summary')
    .argument('<workload>', 'workload YAML file (see workloads/ and `qed-bench schema`)')
    .option('--set <key=value>', 'override a workload field, e.g. cache.size=16 (repeatable)', collect, [])
    .option('--json', 'print the results JSON instead of the summary (no progress bar)')
    .option('-o, --out <file>', 'results file (default: results/<name>-<time>.json)')
    .option('--results-dir <dir>', 'where results files go without --out', 'results')
    .option('--no-verify', 'skip read verification and the final read-back (faster; integrity "skipped")')
    .option('--qemu-check', 'require qemu-img check after the replay (default: run it when qemu-img is on PATH)')
    .option('--no-qemu-check', 'never run qemu-img check')
    .option('--keep-image', 'keep the created image after the run')
    .option('-q, --quiet', 'no progress bar')
    .option('--repeat <n>', 'replay each combination n times; the results file keeps every timing sample (repeats) for compare', positiveIntArg)
    .action(async (workload: string, o) => setCode(await runCommand({ workload, ...o }, out)));

  program
    .command('stress')
    .configureOutput(usageOutput(out, 'stress'))
    .description('replay a workload under the deterministic scheduler once per seed × cache policy; report per policy the runs that lost data (exit 1 if a safe policy did)')
    .argument('<workload>', 'workload YAML file (e.g. workloads/seed-race-small.yaml)')
    .option('--seeds <n>', 'how many seeds', positiveIntArg, 100)
    .option('--first-seed <s>', 'the first seed (seeds s, s+1, ...; each sets seed and scheduler.seed)', intArg, 1)
    .option('--policies <list>', 'comma-separated cache policies; all but fifo-unsafe must never lose data', 'fifo,fifo-unsafe')
    .option('-j, --jobs <n>', 'worker threads (default: the number of cores; 1 runs in-process)', positiveIntArg)
    .option('--set <key=value>', 'override a workload field, e.g. cache.size=2 (repeatable)', collect, [])
    .option('--json', 'print the report as JSON (no progress bar)')
    .option('--memory', 'replay on in-memory images, no file I/O (default)')
    .option('--no-memory', 'replay on image files in temp directories')
    .option('--qemu-check', 'run qemu-img check after every run (slow; implies --no-memory)')
    .option('-q, --quiet', 'no progress bar')
    .action(async (workload: string, o) => setCode(await stressCommand({ workload, ...o, memory: o.memory ?? true }, out)));

  // Commands registered from their own modules (each owns its options and help).
  for (const register of [registerSweep, registerMerge, registerMrc, registerTraceExport, registerReport, registerCompare]) {
    register(program, out, setCode);
  }

  program
    .command('schema')
    .configureOutput(usageOutput(out, 'schema'))
    .description('print the JSON Schema of workload files (for editor completion and checking)')
    .action(() => out.stdout(`${JSON.stringify(workloadJsonSchema(), null, 2)}\n`));

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
