/**
 * Output paths checked before any work and written only at the end: an output that is a
 * directory, that is one of the inputs, or whose directory cannot be made is refused up front
 * (nothing created), and a file written in steps goes through a temp name so an error leaves none.
 */
import { realpathSync, accessSync, constants } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { statOf } from '../util/stat-of.js';
import { whyUnreadable } from '../util/why-unreadable.js';
import { CliUsageError } from './errors.js';

/** The path with symbolic links resolved where it exists, else as given (absolute). */
function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

/**
 * Refuses `out` (named by `flag`) when it is a directory or one of `inputs`, and its directory
 * when it is missing (`createDir` false) or cannot be made (a file in the way, not writable).
 * Creates nothing.
 */
export function checkOutPath(out: string, flag: string, inputs: string[], createDir: boolean): void {
  const st = statOf(out);
  if (st?.isDirectory()) throw new CliUsageError(`${flag} ${out}: it is a directory; name a file`);
  const target = real(out);
  for (const input of inputs) {
    if (real(input) === target) throw new CliUsageError(`${flag} ${out}: it is the input ${input}; writing it would destroy what is being read (name another file)`);
  }
  checkDirectory(dirname(out), createDir, (why) => `${flag} ${out}: cannot write there: ${why}`);
}

/** The directory exists (or, with `create`, its nearest existing ancestor is a writable directory). */
export function checkDirectory(dir: string, create: boolean, message: (why: string) => string): void {
  let at = resolve(dir);
  for (;;) {
    const st = statOf(at);
    if (st) {
      if (!st.isDirectory()) throw new CliUsageError(message(`a file of that name is in the way (${at})`));
      try {
        accessSync(at, constants.W_OK);
      } catch (err) {
        throw new CliUsageError(message(`${at}: ${whyUnreadable(err)}`));
      }
      return;
    }
    if (!create) throw new CliUsageError(message(`the directory ${dir} does not exist`));
    const up = dirname(at);
    if (up === at) return;
    at = up;
  }
}

/** An existing output that is not a regular file (a device, a FIFO, /dev/stdout): written in place, never renamed over. */
export function isSpecialFile(out: string): boolean {
  const st = statOf(out);
  return !!st && !st.isFile() && !st.isDirectory();
}

/** A temp name beside `out` (same file system, so the final rename is atomic). */
export function tempBeside(out: string): string {
  return join(dirname(out), `.${basename(out)}.${process.pid}.tmp`);
}

/** Rename the finished temp file onto `out`, or remove it when the work failed. */
export async function finishTemp(tmp: string, out: string, ok: boolean): Promise<void> {
  if (ok) await rename(tmp, out);
  else await rm(tmp, { force: true });
}
