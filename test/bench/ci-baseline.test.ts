/**
 * A few bench:ci runs replayed here and held against the committed baseline, so a change in
 * cache or engine behaviour fails `npm test` too, naming the fields that moved (bench:ci gates
 * the whole suite; these are its quick entries).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/metrics/results.js';
import { BASELINE_DIR, differences, loadSuite, runSuiteEntry } from '../../scripts/bench-ci/suite.js';

const QUICK = [
  'ci-seed-race-small[cache.policy=fifo]',
  'ci-seed-race-small[cache.policy=fifo-unsafe]',
  'ci-power-cut',
  'ci-parallel-alloc[engine.allocation=parallel]',
  'ci-zipf-read[cache.size=32,cache.policy=lru]',
];

const UPDATE = 'if the change is intended, run `npm run bench:ci -- --update-baseline` and commit results/baseline/';

describe('bench:ci suite against results/baseline/', async () => {
  const suite = await loadSuite();

  it('has one baseline file per run and none left over', () => {
    const files = readdirSync(BASELINE_DIR).filter((f) => f.endsWith('.json')).sort();
    expect(files, `results/baseline/ does not match bench/ci/: ${UPDATE}`).toEqual(suite.map((r) => r.resultsFile).sort());
  });

  it.each(QUICK)('%s repeats its baseline counters exactly', async (name) => {
    const entry = suite.find((r) => r.workload.name === name);
    expect(entry, `no run ${name} in bench/ci/`).toBeDefined();
    const baseline = JSON.parse(readFileSync(join(BASELINE_DIR, entry!.resultsFile), 'utf8')) as RunResults;
    const current = await runSuiteEntry(entry!);
    const diffs = differences(baseline, current);
    expect(diffs, `${name} differs from results/baseline/${entry!.resultsFile} (baseline → now):\n  ${diffs.join('\n  ')}\n${UPDATE}`).toEqual([]);
  });

  it('keeps fifo-unsafe failing and fifo intact in the seed race (what the baseline encodes)', () => {
    const verdict = (name: string): string => {
      const entry = suite.find((r) => r.workload.name === name)!;
      return (JSON.parse(readFileSync(join(BASELINE_DIR, entry.resultsFile), 'utf8')) as RunResults).integrity.verdict;
    };
    expect(verdict('ci-seed-race-small[cache.policy=fifo-unsafe]')).toBe('failed');
    expect(verdict('ci-seed-race-small[cache.policy=fifo]')).toBe('passed');
  });
});

describe('differences', () => {
  it('names changed, lost and resized fields and ignores volatile, input and new ones', () => {
    const base = { startedAt: 'a', tool: { v: 1 }, total: { cache: { hits: 5, loads: 2 } }, phases: [{ n: 1 }] };
    const cur = { startedAt: 'b', tool: { v: 2 }, total: { cache: { hits: 4, extra: 1 } }, phases: [{ n: 1 }, { n: 2 }], added: true };
    expect(differences(base, cur)).toEqual(['total.cache.hits: 5 → 4', 'total.cache.loads: 2 → undefined', 'phases.length: 1 → 2']);
    expect(differences(base, { ...base, startedAt: 'c', environment: {}, workload: { hash: 'x' } })).toEqual([]);
  });
});
