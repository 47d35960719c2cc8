/** `qed-bench io`: qemu-io's commands against an image file. */
import { open } from 'node:fs/promises';
import type { IoMode } from '../io/file-backend.js';
import { F_NEED_CHECK, HEADER_BYTES, parseHeader } from '../qed/format.js';
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
  /** The file backend's I/O mode (default async). */
  io?: IoMode;
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
  const opts = { readOnly: a.readOnly ?? false, cacheSize: a.cacheSize, cachePolicy: a.cachePolicy, allocation: a.allocation, io: a.io };
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
