/** `qed-bench io`: qemu-io's commands against an image file. */
import { open } from 'node:fs/promises';
import { Option } from 'commander';
import { POLICY_NAMES, type PolicyName } from '../cache/policies/index.js';
import { CACHE_MODES, DEFAULT_CACHE_MODE, DEFAULT_IO_MODE, IO_MODES, type CacheMode, type IoMode } from '../io/file-backend.js';
import { F_NEED_CHECK, HEADER_BYTES, parseHeader } from '../qed/format.js';
import { ALLOCATION_MODES, DEFAULT_ALLOCATION, DEFAULT_CACHE_SIZE, DEFAULT_POLICY, type AllocationMode } from '../qed/options.js';
import { CliUsageError, EXIT_FAILURE, EXIT_OK } from './errors.js';
import { withImage } from './image.js';
import { runIoCommands } from './io-exec.js';
import { parseIoCommands } from './io-parse.js';
import { printJson, type Output } from './output.js';
import { cacheSizeArg, collect, usageOutput, type RegisterCommand } from './options.js';

export interface IoArgs {
  image: string;
  cmd: string[];
  cacheSize?: number;
  cachePolicy?: PolicyName;
  allocation?: AllocationMode;
  readOnly?: boolean;
  /** The file I/O path (default auto) and cache mode (default writeback). */
  io?: IoMode;
  cache?: CacheMode;
  json?: boolean;
}

/** Whether the header's need-check flag is set (a writable open then repairs); false if unreadable (open reports why). */
async function needsCheck(path: string): Promise<boolean> {
  try {
    const f = await open(path, 'r');
    try {
      const buf = new Uint8Array(HEADER_BYTES);
      const { bytesRead } = await f.read(buf, 0, HEADER_BYTES, 0);
      return bytesRead === HEADER_BYTES && (parseHeader(buf).features & BigInt(F_NEED_CHECK)) !== 0n;
    } finally {
      await f.close();
    }
  } catch {
    return false;
  }
}

/** `io IMAGE -c CMD...`: every command is parsed before the image opens, so a typo writes nothing. */
export async function ioCommand(a: IoArgs, out: Output): Promise<number> {
  if (a.cmd.length === 0) throw new CliUsageError(`io ${a.image}: give at least one -c COMMAND, e.g. -c 'read -P 0xcd 0 64k'`);
  const cmds = parseIoCommands(a.cmd, a.readOnly ?? false);
  const opts = { readOnly: a.readOnly ?? false, l2Cache: { size: a.cacheSize, policy: a.cachePolicy }, allocation: a.allocation, io: a.io, cache: a.cache };
  if (!opts.readOnly && (await needsCheck(a.image))) {
    out.stderr(`qed-bench: io: ${a.image} was not closed cleanly (need-check is set): checking and repairing it before the commands, which writes to it (-r opens it read-only and writes nothing)\n`);
  }
  const { results, engine, cache } = await withImage(a.image, opts, async (img) => {
    const results = await runIoCommands(img, cmds, out, !a.json);
    // Counters as the commands left them, before close() flushes.
    return { results, engine: structuredClone(img.stats), cache: img.cacheStats() };
  });
  if (a.json) printJson(out, { commands: results, engine, cache });
  return results.every((r) => r.ok) ? EXIT_OK : EXIT_FAILURE;
}

export const registerIo: RegisterCommand = (program, out, setCode) => {
  program
    .command('io')
    .configureOutput(usageOutput(out, 'io'))
    .description('run qemu-io style commands: read, write, aio_read, aio_write, aio_flush, flush, zero, truncate')
    .argument('<image>', 'QED image')
    .option('-c, --cmd <command>', "a command, e.g. 'write -P 0xab 0 64k' (repeatable)", collect, [])
    .option('--cache-size <tables>', `L2 cache capacity in tables (default ${DEFAULT_CACHE_SIZE})`, cacheSizeArg)
    .addOption(new Option('--cache-policy <policy>', 'L2 cache eviction policy').choices(POLICY_NAMES).default(DEFAULT_POLICY))
    .addOption(new Option('--allocation <mode>', 'allocating writes: serial (one at a time, as QEMU) or parallel (per L2 table)').choices(ALLOCATION_MODES).default(DEFAULT_ALLOCATION))
    .addOption(new Option('--io <path>', 'file I/O path: auto, async (libuv pool), sync (blocking, as fio psync), ring (worker threads on shared memory), adaptive (sync while page-cached, ring when not)').choices(IO_MODES).default(DEFAULT_IO_MODE))
    .addOption(new Option('--cache <mode>', "writeback (page cache) or none (O_DIRECT, QEMU's cache=none; io auto, async or ring)").choices(CACHE_MODES).default(DEFAULT_CACHE_MODE))
    .option('-r, --read-only', 'open the image read-only')
    .option('--json', 'print {commands, engine, cache} as JSON at the end')
    .action(async (image: string, o) => setCode(await ioCommand({ image, ...o }, out)));
};
