/**
 * Sweeps on the real engine, in memory, over a tiny workload: a cell is the same run as
 * `runWorkload` of that cell alone; the runs do not depend on --jobs; the shards of a grid,
 * merged, are the unsharded sweep.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { mergeSweeps } from '../../src/experiments/sweep-merge.js';
import type { RunResults } from '../../src/metrics/results.js';
import { SWEEP_SCHEMA, type SweepResults } from '../../src/metrics/sweep-results.js';
import { runWorkload } from '../../src/replay/runner.js';
import { cellOverrides, safePolicyFailed, shardCells, sweep, sweepGrid, sweepWorkloadHash, workloadGrid, type SweepSpec } from '../../src/experiments/sweep.js';
import { parseWorkload } from '../../src/workload/load.js';

const FILE = 'test/sweep/fixtures/tiny.yaml';
const TEXT = readFileSync(FILE, 'utf8');

const spec = (over: Partial<SweepSpec> = {}): SweepSpec => ({
  text: TEXT,
  file: FILE,
  set: [],
  sizes: [2, 8],
  policies: ['fifo', 'lru'],
  shard: null,
  scheduler: 'deterministic',
  memory: true,
  full: true,
  verify: true,
  sampleRate: 1,
  ...over,
});

/** A run minus what says when it ran (wall-clock start and end). */
function counters(r: RunResults): unknown {
  const { startedAt: _s, finishedAt: _f, ...rest } = r;
  return rest;
}
const runsOf = (s: SweepResults) => s.runs.map((r) => ({ size: r.size, policy: r.policy, results: counters(r.results) }));

describe('sweep of sweep-tiny: 2 sizes × 2 policies', () => {
  let inProcess: SweepResults;
  let onWorkers: SweepResults;

  beforeAll(async () => {
    inProcess = await sweep(spec(), { jobs: 1 });
    onWorkers = await sweep(spec(), { jobs: 2 });
  }, 120_000);

  it('runs every cell once, in grid order (sizes outer, policies inner), into one sweep@1 object', () => {
    expect(inProcess.schema).toBe(SWEEP_SCHEMA);
    expect(inProcess.sweep).toMatchObject({ workload: 'sweep-tiny', sizes: [2, 8], policies: ['fifo', 'lru'], shards: null, timing: 'deterministic', jobs: 1, status: 'completed' });
    expect(inProcess.runs.map((r) => `${r.size}/${r.policy}`)).toEqual(['2/fifo', '2/lru', '8/fifo', '8/lru']);
    for (const r of inProcess.runs) {
      expect(r.results.schema).toBe('qed-bench/results@1');
      expect(r.results.workload.cache).toEqual({ size: r.size, policy: r.policy });
      expect(r.results.workload.scheduler.mode).toBe('deterministic');
      expect(r.results.timing).toBe('virtual');
      expect(r.results.integrity.verdict).toBe('passed');
      expect(r.results.image.created).toBe(true);
      expect(r.results.total.requests).toBe(64 + 200 + 60);
    }
    // the cache size matters on this workload: more tables, more hits
    const fifo = inProcess.runs.filter((r) => r.policy === 'fifo').map((r) => r.results.total.hitRate);
    expect(fifo[0]).toBeLessThan(fifo[1]);
    expect(safePolicyFailed(inProcess.runs)).toBe(false);
  });

  it('a cell is the same run as runWorkload of that cell alone', async () => {
    const [w] = parseWorkload(TEXT, FILE, { set: cellOverrides([], { size: 8, policy: 'lru' }, 'deterministic') });
    const alone = await runWorkload(w, { inMemory: true });
    const cell = inProcess.runs.find((r) => r.size === 8 && r.policy === 'lru')!.results;
    expect(cell.total).toEqual(alone.total);
    expect(cell.phases).toEqual(alone.phases);
    expect(cell.integrity).toEqual(alone.integrity);
    expect(cell.total.cache.hits).toBeGreaterThan(0);
  });

  it('gives the same runs on two workers as in-process', () => {
    expect(onWorkers.sweep.jobs).toBe(2);
    expect(runsOf(onWorkers)).toEqual(runsOf(inProcess));
  });

  it('shards 1/3, 2/3 and 3/3, merged, are the unsharded sweep', async () => {
    const shards = [];
    for (const index of [3, 1, 2]) shards.push({ file: `shard-${index}.json`, data: await sweep(spec({ shard: { index, count: 3 } }), { jobs: 1 }) });
    expect(shards.map((s) => s.data.runs.length)).toEqual([1, 2, 1]);
    expect(shards[0].data.sweep.shards).toEqual([{ index: 3, count: 3 }]);
    const merged = mergeSweeps(shards, false);
    expect(merged.sweep.shards).toEqual([1, 2, 3].map((index) => ({ index, count: 3 })));
    expect(merged.sweep.status).toBe('completed');
    expect(runsOf(merged)).toEqual(runsOf(inProcess));
  });

  it('every run of one sweep has one workload hash apart from its cell', () => {
    const hashes = new Set(inProcess.runs.map((r) => sweepWorkloadHash(r.results)));
    expect(hashes.size).toBe(1);
    expect(new Set(inProcess.runs.map((r) => r.results.workload.hash)).size).toBe(4);
  });
});

describe('interrupted sweep', () => {
  it('stops handing out cells on abort: the runs done so far, status interrupted', async () => {
    const abort = new AbortController();
    const r = await sweep(spec({ sizes: [2, 3, 4] }), { jobs: 1, signal: abort.signal, onRun: () => abort.abort() });
    expect(r.sweep.status).toBe('interrupted');
    expect(r.runs.map((x) => `${x.size}/${x.policy}`)).toEqual(['2/fifo']);
  });
});

describe('grid and shards', () => {
  it('the grid from the workload: its matrix sizes (ascending) and policies, or its single values', () => {
    expect(workloadGrid(TEXT, FILE, [])).toEqual({ sizes: [2, 4, 8], policies: ['fifo', 'lru'] });
    expect(workloadGrid(TEXT, FILE, ['cache.size=5'])).toEqual({ sizes: [5], policies: ['fifo', 'lru'] });
    expect(workloadGrid(TEXT, FILE, ['cache.policy=arc', 'cache.size=3'])).toEqual({ sizes: [3], policies: ['arc'] });
  });

  it('the shards of a grid are disjoint, cover it, keep grid order, and differ in size by at most one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 12 }), (nSizes, nPolicies, count) => {
        const grid = sweepGrid(Array.from({ length: nSizes }, (_, i) => i + 1), Array.from({ length: nPolicies }, (_, i) => `p${i}`));
        const parts = Array.from({ length: count }, (_, i) => shardCells(grid, { index: i + 1, count }));
        const key = (c: { size: number; policy: string }) => `${c.size}/${c.policy}`;
        const all = parts.flat().map(key);
        expect(new Set(all).size).toBe(grid.length);
        expect(all.length).toBe(grid.length);
        for (const p of parts) expect(p.map(key)).toEqual(grid.filter((c) => p.includes(c)).map(key));
        const sizes = parts.map((p) => p.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
    );
  });
});
