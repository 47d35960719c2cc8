/** `qed-bench io`: runs the parsed qemu-io commands against an open image. */
import type { QedImage } from '../qed/image.js';
import type { IoCommand } from './io-parse.js';
import { dumpBuffer, report } from './io-report.js';
import type { Output } from './output.js';

/** What one command did, in issue order; for --json. */
export interface CommandResult {
  command: string;
  op: string;
  offset?: number;
  length?: number;
  ok: boolean;
  seconds: number;
  /** Reads with -P: whether every byte matched, and the first byte that did not. */
  verified?: boolean;
  mismatchAt?: number;
  error?: string;
}

/**
 * Runs commands as qemu-io does: aio_* are issued without waiting and report when they complete,
 * aio_flush waits for all of them, the end waits for the rest. A failed command is reported and
 * the next one runs; any failure makes the exit status 1.
 */
export async function runIoCommands(img: QedImage, cmds: IoCommand[], out: Output, human: boolean): Promise<CommandResult[]> {
  const results: CommandResult[] = [];
  const pending = new Set<Promise<void>>();
  const print = (s: string): void => {
    if (human) out.stdout(s);
  };

  for (const cmd of cmds) {
    const result: CommandResult = { command: cmd.text, op: cmd.text.trim().split(/\s+/)[0], ok: true, seconds: 0 };
    results.push(result);
    const started = process.hrtime.bigint();
    const done = runOne(img, cmd, result, print)
      .catch((err: unknown) => {
        result.ok = false;
        result.error = err instanceof Error ? err.message : String(err);
        out.stderr(`qed-bench: ${result.op} failed: ${result.error}\n`);
      })
      .finally(() => {
        result.seconds = Number(process.hrtime.bigint() - started) / 1e9;
      });
    if ('aio' in cmd && cmd.aio) {
      pending.add(done);
      void done.finally(() => pending.delete(done));
    } else {
      if (cmd.op === 'aio_flush') await Promise.all(pending);
      await done;
    }
  }
  await Promise.all(pending);
  return results;
}

async function runOne(img: QedImage, cmd: IoCommand, r: CommandResult, print: (s: string) => void): Promise<void> {
  const t0 = process.hrtime.bigint();
  const elapsed = (): number => Number(process.hrtime.bigint() - t0) / 1e9;
  switch (cmd.op) {
    case 'read': {
      r.offset = cmd.offset;
      r.length = cmd.length;
      const buf = new Uint8Array(cmd.length);
      await img.read(buf, cmd.offset);
      const seconds = elapsed();
      if (cmd.pattern !== undefined) {
        const bad = buf.findIndex((b) => b !== cmd.pattern);
        r.verified = bad < 0;
        if (bad >= 0) {
          r.ok = false;
          r.mismatchAt = cmd.offset + bad;
          // qemu-io names the request, not the first bad byte.
          print(`Pattern verification failed at offset ${cmd.offset}, ${cmd.length} bytes\n`);
        }
      }
      if (cmd.quiet) return;
      if (cmd.verbose) print(dumpBuffer(buf, cmd.offset));
      print(report('read', cmd.offset, cmd.length, seconds));
      return;
    }
    case 'write': {
      r.offset = cmd.offset;
      r.length = cmd.length;
      if (cmd.zero) await img.writeZeroes(cmd.offset, cmd.length);
      else await img.write(new Uint8Array(cmd.length).fill(cmd.pattern), cmd.offset);
      if (!cmd.quiet) print(report('wrote', cmd.offset, cmd.length, elapsed()));
      return;
    }
    case 'flush':
    case 'aio_flush':
      await img.flush();
      return;
    case 'truncate':
      r.length = cmd.size;
      await img.grow(cmd.size);
      return;
  }
}
