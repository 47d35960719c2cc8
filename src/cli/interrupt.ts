/** Ctrl-C during long commands: the first winds down and keeps partial results, the second exits. */
import type { Output } from './output.js';

/** Exit code when the user stopped the work (128 + SIGINT), as shells report it. */
export const EXIT_INTERRUPTED = 130;

/**
 * First Ctrl-C: say what happens now (`doing`, e.g. "draining requests in flight") and abort
 * `signal` so the command winds down and keeps partial results; a second Ctrl-C exits at once.
 * Call `stop` when the work is over.
 */
export function onInterrupt(out: Output, doing: string): { signal: AbortSignal; stop: () => void } {
  const abort = new AbortController();
  const handler = (): void => {
    if (abort.signal.aborted) process.exit(EXIT_INTERRUPTED);
    out.stderr(`\nqed-bench: interrupted; ${doing} (Ctrl-C again to quit at once)\n`);
    abort.abort();
  };
  process.on('SIGINT', handler);
  return { signal: abort.signal, stop: () => process.off('SIGINT', handler) };
}
