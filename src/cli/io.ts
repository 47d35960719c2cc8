import type { CacheMode, IoMode } from '../io/file-backend.js';
import type { AllocationMode } from '../qed/image.js';
import { CliUsageError, EXIT_FAILURE, EXIT_OK } from './errors.js';
import { withImage } from './image.js';
import { runIoCommands } from './io-exec.js';
import { parseIoCommands } from './io-parse.js';
import { printJson, type Output } from './output.js';

export interface IoArgs {
  image: string;
  cmd: string[];
  cacheSize?: number;
  cachePolicy?: string;
  allocation?: AllocationMode;
  readOnly?: boolean;
  /** The file I/O path (default auto) and cache mode (default writeback). */
  io?: IoMode;
  cache?: CacheMode;
  json?: boolean;
}

/** `io IMAGE -c CMD...`: every command is parsed before the image opens, so a typo writes nothing. */
export async function ioCommand(a: IoArgs, out: Output): Promise<number> {
  if (a.cmd.length === 0) throw new CliUsageError(`io ${a.image}: give at least one -c COMMAND, e.g. -c 'read -P 0xcd 0 64k'`);
  const cmds = parseIoCommands(a.cmd, a.readOnly ?? false);
  const opts = { readOnly: a.readOnly ?? false, cacheSize: a.cacheSize, cachePolicy: a.cachePolicy, allocation: a.allocation, io: a.io, cache: a.cache };
  const { results, engine, cache } = await withImage(a.image, opts, async (img) => {
    const results = await runIoCommands(img, cmds, out, !a.json);
    // Counters as the commands left them, before close() flushes.
    return { results, engine: structuredClone(img.stats), cache: img.cacheStats() };
  });
  if (a.json) printJson(out, { commands: results, engine, cache });
  return results.every((r) => r.ok) ? EXIT_OK : EXIT_FAILURE;
}
