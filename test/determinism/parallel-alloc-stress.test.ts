/**
 * The seed sweep that vouches for engine.allocation 'parallel', CI-sized: workloads/parallel-alloc.yaml
 * (many jobs allocating clusters and new L2 tables at once, completions reordered, a cache of 4)
 * under 50 seeds must lose nothing and leave every image clean. The full sweep (1,000 seeds,
 * fifo and lru) is in docs/engine.md.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { stress, type StressReport } from '../../src/experiments/stress.js';

const FILE = 'workloads/parallel-alloc.yaml';
const SEEDS = 50;

describe(`stress: ${SEEDS} seeds of parallel-alloc with parallel allocation`, () => {
  let report: StressReport;

  beforeAll(async () => {
    report = await stress(
      { text: readFileSync(FILE, 'utf8'), file: FILE, set: ['engine.allocation=parallel'], firstSeed: 1, seeds: SEEDS, policies: ['fifo'], memory: true, qemuCheck: false },
      { jobs: 2 },
    );
  }, 300_000);

  it('every run is intact: no lost write, stale read, corruption or leak', () => {
    expect(report.completedRuns).toBe(SEEDS);
    const fifo = report.policies[0];
    expect(fifo).toMatchObject({ policy: 'fifo', runs: SEEDS, failedRuns: 0, erroredRuns: 0, lostWriteSectors: 0, staleReads: 0, corruptSectors: 0, corruptions: 0, leakyRuns: 0, failures: [] });
    // Every run replays the whole workload (no request failed or was skipped).
    expect(fifo.requests).toBe(SEEDS * (160 + 80 + 160 + (160 + 120 + 60 + 200) + 80 / 10 + 160 / 20)); // jobs' ops and flushes
  });

  it('the small cache is under pressure: tables in use push it past capacity', () => {
    expect(report.policies[0].maxPeakOverCapacity).toBeGreaterThan(0);
  });
});
