/** Exit codes and how an error is shown: one paragraph, the stack only with --debug. */
import { BackendError } from '../io/backend.js';
import { QedFormatError, QedUsageError } from '../qed/errors.js';
import { SizeError } from '../util/size.js';
import { ConfigError } from '../config/errors.js';
import { TableTraceError } from '../cache/table-trace.js';
import { TaskError } from '../util/worker-pool.js';

/** Exit codes shared by every command (check defines its own 1/2/3 for results). */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Bad input found by the CLI itself: an option value, a command string, a file that cannot be used. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

/** Errors caused by what the user gave us (paths, options, image contents) rather than by a failure. */
const INPUT_CODES = new Set(['ENOENT', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'EROFS', 'EINVAL', 'ENAMETOOLONG', 'ELOOP']);

/** Input errors by class name, for those that crossed a worker thread as a TaskError. */
const INPUT_NAMES = new Set(['CliUsageError', 'QedUsageError', 'QedFormatError', 'SizeError', 'ConfigError', 'WorkloadError', 'TraceError', 'TableTraceError']);

export function isInputError(err: unknown): boolean {
  if (err instanceof TaskError) return INPUT_NAMES.has(err.causeName);
  if (err instanceof CliUsageError || err instanceof QedUsageError || err instanceof QedFormatError || err instanceof SizeError || err instanceof ConfigError || err instanceof TableTraceError) {
    return true;
  }
  return err instanceof BackendError && INPUT_CODES.has(err.code);
}

export function exitCodeFor(err: unknown): number {
  return isInputError(err) ? EXIT_USAGE : EXIT_FAILURE;
}

/** One paragraph for stderr; the stack only with --debug. Unexpected errors say so. */
export function formatError(err: unknown, debug: boolean): string {
  const message = err instanceof Error ? err.message : String(err);
  const expected = isInputError(err) || err instanceof BackendError;
  let text = expected
    ? `qed-bench: ${message}\n`
    : `qed-bench: internal error: ${message}${debug ? '' : ' (run with --debug for the stack trace)'}\n`;
  if (debug && err instanceof Error && err.stack) text += `${err.stack}\n`;
  return text;
}
