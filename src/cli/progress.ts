/** The progress bar of long commands: on a terminal only. */
import cliProgress from 'cli-progress';
import type { Progress } from '../replay/runner.js';

export interface ProgressReporter {
  update: (p: Progress) => void;
  stop: () => void;
}

/**
 * A progress bar on stderr when it is a terminal; silent in CI, with --json, or when piped.
 * Phases without a planned total show a count instead of a bar.
 */
export function progressReporter(opts: { enabled: boolean; label: string }): ProgressReporter {
  const tty = process.stderr.isTTY === true && !process.env.CI;
  if (!opts.enabled || !tty) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${opts.label} {stage} {phase} |{bar}| {value}/{total}`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let key = '';
  return {
    update(p) {
      const total = p.total ?? Math.max(p.done, 1);
      if (!started || key !== `${p.stage}/${p.phase}`) {
        if (started) bar.stop();
        bar.start(total, p.done, { phase: p.phase, stage: p.stage });
        started = true;
        key = `${p.stage}/${p.phase}`;
      }
      bar.setTotal(total);
      bar.update(p.done, { phase: p.phase, stage: p.stage });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
