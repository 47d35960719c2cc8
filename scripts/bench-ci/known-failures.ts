/**
 * Runs whose baseline integrity verdict is `failed` reproduce a known bug on purpose
 * (fifo-unsafe in ci-seed-race-small: QEMU's cache before the 2012 fix). `qed-bench compare`
 * fails any run that fails integrity, so bench:ci keeps these runs out of compare and checks them
 * itself: the current run must fail exactly as the baseline did (every field of the outcome equal:
 * the same lost sectors at the same offsets). Failing differently, or no longer failing, is a
 * change in behaviour and fails the gate until the baseline is updated on purpose.
 */
import type { RunResults } from '../../src/metrics/results.js';
import { differences } from './suite.js';

export interface KnownFailure {
  file: string;
  name: string;
  /** unchanged: fails exactly as in the baseline; changed: anything else. */
  verdict: 'unchanged' | 'changed';
  /** The baseline's loss, for the summary. */
  lostWrites: number;
  staleReads: number;
  /** `path: baseline → current` lines when changed. */
  differences: string[];
}

export function isKnownFailure(baseline: RunResults): boolean {
  return baseline.integrity?.verdict === 'failed';
}

export function checkKnownFailure(file: string, baseline: RunResults, current: RunResults): KnownFailure {
  const diffs = differences(baseline, current);
  return {
    file,
    name: current.workload.name,
    verdict: diffs.length === 0 ? 'unchanged' : 'changed',
    lostWrites: baseline.integrity.lostWrites,
    staleReads: baseline.integrity.staleReads,
    differences: diffs,
  };
}

/** A Markdown section for stdout and the job summary. */
export function knownFailuresMarkdown(list: KnownFailure[]): string {
  if (list.length === 0) return '';
  const rows = list.map((k) => {
    const what = `fails as in the baseline (${k.lostWrites} lost-write sectors, ${k.staleReads} stale-read sectors)`;
    const verdict = k.verdict === 'unchanged' ? `✅ unchanged: ${what}` : `❌ changed: ${k.differences.slice(0, 3).map((d) => `\`${d}\``).join('; ')}${k.differences.length > 3 ? '; …' : ''}`;
    return `| ${k.name} | ${verdict} |`;
  });
  return [
    '### Known failures (baseline integrity verdict: failed)',
    '',
    'These runs reproduce a known bug on purpose; they must fail exactly as in the baseline.',
    '',
    '| run | verdict |',
    '|---|---|',
    ...rows,
    '',
  ].join('\n');
}
