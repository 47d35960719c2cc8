/**
 * Progress of a replay on stderr: a bar on a terminal; in a log (stderr not a terminal, or CI)
 * one line when a stage starts and ends and one every ~10 s in between, so a CI log is not
 * silent for a minute. Nothing at all when disabled (--json, --quiet).
 */
import cliProgress from 'cli-progress';
import type { Progress } from '../replay/runner.js';

export interface ProgressReporter {
  update: (p: Progress) => void;
  stop: () => void;
}

/** How often a log gets a line during a long stage. */
export const LOG_EVERY_MS = 10_000;

export interface ProgressOptions {
  enabled: boolean;
  label: string;
  /** Where log lines go (default stderr) and whether it is a terminal (default: stderr's, unless CI). */
  write?: (line: string) => void;
  tty?: boolean;
}

export function progressReporter(opts: ProgressOptions): ProgressReporter {
  if (!opts.enabled) return { update: () => {}, stop: () => {} };
  const tty = opts.tty ?? (process.stderr.isTTY === true && !process.env.CI);
  return tty ? barReporter(opts.label) : logReporter(opts.label, opts.write ?? ((l) => process.stderr.write(l)));
}

/** "replay mixed", "read-back", "check": what the stage is doing, said once. */
export function stageName(p: Progress): string {
  if (p.stage === 'replay') return `replay ${p.phase}`;
  return p.phase;
}

/** "12000/32000 requests (37%)", "298 MiB / 298 MiB"; empty for a stage without a count. */
export function amount(p: Progress): string {
  if (p.stage === 'check') return '';
  const pct = p.total ? ` (${Math.floor((100 * p.done) / p.total)}%)` : '';
  if (p.stage === 'verify') return `${bytes(p.done)} / ${p.total === null ? '?' : bytes(p.total)}${pct}`;
  return `${p.done}${p.total === null ? '' : `/${p.total}`} requests${pct}`;
}

/** Three significant digits in binary units: "298 MiB", "1.50 GiB", "512 B". */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let i = 0;
  while (i < units.length - 1 && n >= 1024 ** (i + 1)) i++;
  const v = n / 1024 ** i;
  return `${i === 0 ? v : v >= 100 ? v.toFixed(0) : v.toPrecision(3)} ${units[i]}`;
}

function logReporter(label: string, write: (line: string) => void): ProgressReporter {
  let current: Progress | null = null;
  let key = '';
  let startedAt = 0;
  let lastLine = 0;
  const secs = () => `${((Date.now() - startedAt) / 1000).toFixed(1)} s`;
  const end = () => {
    if (!current) return;
    const a = amount(current);
    write(`${label}: ${stageName(current)}: done${a ? `, ${a}` : ''} in ${secs()}\n`);
  };
  const timer = setInterval(() => {
    if (current && Date.now() - lastLine >= LOG_EVERY_MS) {
      lastLine = Date.now();
      const a = amount(current);
      write(`${label}: ${stageName(current)}: ${a || 'running'} after ${secs()}\n`);
    }
  }, 1000);
  timer.unref();
  return {
    update(p) {
      const k = `${p.stage}/${p.phase}`;
      if (k !== key) {
        end();
        key = k;
        startedAt = lastLine = Date.now();
        write(`${label}: ${stageName(p)}: started${p.total ? ` (${p.stage === 'verify' ? bytes(p.total) : `${p.total} requests`})` : ''}\n`);
      }
      current = p;
    },
    stop() {
      clearInterval(timer);
      end();
      current = null;
    },
  };
}

function barReporter(label: string): ProgressReporter {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: `${label} {what} |{bar}| {amount}`,
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
      const payload = { what: stageName(p), amount: amount(p) };
      if (!started || key !== `${p.stage}/${p.phase}`) {
        if (started) bar.stop();
        bar.start(total, p.done, payload);
        started = true;
        key = `${p.stage}/${p.phase}`;
      }
      bar.setTotal(total);
      bar.update(p.done, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
