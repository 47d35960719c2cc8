/**
 * A metadata-only replay (header, L1 and L2 bytes kept, data dropped) and a full replay under the
 * deterministic scheduler give identical counters, time series, virtual latencies and table
 * streams, for the bench:ci workloads and the small ones in workloads/.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { POLICY_NAMES } from '../../src/cache/policies/index.js';
import { runWorkload, type RunOutcome } from '../../src/replay/runner.js';
import { parseWorkload } from '../../src/workload/load.js';

/** Files and overrides that keep each replay to a few seconds. */
const CASES: Array<[string, string[]]> = [
  ['bench/ci/mixed-parallel.yaml', []],
  ['bench/ci/parallel-alloc.yaml', []],
  ['bench/ci/power-cut.yaml', []],
  ['bench/ci/seed-race-small.yaml', []],
  ['bench/ci/zipf-read.yaml', ['phases[1].jobs[0].stop.ops=5000']],
  ['workloads/parallel-alloc.yaml', []],
  ['workloads/power-cut.yaml', []],
  ['workloads/race-2012-scenario.yaml', []],
  ['workloads/seed-race-small.yaml', []],
  ['workloads/random-write-uniform.yaml', ['phases[0].jobs[0].stop.ops=2000']],
  ['workloads/sparse-large.yaml', ['phases[1].jobs[0].stop.ops=3000']],
];

/** What must not depend on the store: everything measured during the replay. */
function measured(o: RunOutcome): unknown {
  return { phases: o.phases, total: o.total, timing: o.timing, mrc: o.mrc, status: o.status, check: o.integrity.check };
}

async function replay(file: string, set: string[], store: 'full' | 'metadata', text = readFileSync(file, 'utf8')): Promise<RunOutcome> {
  const [w] = parseWorkload(text, file, { set: ['scheduler.mode=deterministic', ...set] });
  return runWorkload(w, { inMemory: true, store, verify: false, qemuCheck: false, missRatioCurve: { sampleRate: 1 } });
}

describe('metadata-only replay', () => {
  for (const [file, set] of CASES) {
    it(`${file}: same counters, series and virtual latencies as a full replay`, async () => {
      const full = await replay(file, set, 'full');
      const meta = await replay(file, set, 'metadata');
      expect(full.image.store).toBe('memory');
      expect(meta.image.store).toBe('metadata');
      expect(meta.total.requests).toBeGreaterThan(0);
      expect(meta.scheduler).toEqual(full.scheduler);
      expect(measured(meta)).toEqual(measured(full));
      expect(meta.image.fileBytes).toBe(full.image.fileBytes);
      expect(meta.recovery?.verdict).toEqual(full.recovery?.verdict);
    }, 120_000);
  }
});

/** A small random workload: two jobs mixing allocating writes, zero writes and reads over few tables. */
const RANDOM = `name: random-small
image: { size: 64M, cluster_size: 4k, table_size: 1 }
cache: { size: 2, policy: fifo }
scheduler: { mode: deterministic, reorder: 4 }
phases:
  - name: p
    jobs:
      - { name: w, pattern: random, op: mixed, rwmixread: 50, bs: 4k, region: { offset: 0, span: 64M }, iodepth: 4, stop: { ops: 50 }, flush_every: 0 }
      - { name: z, pattern: random, op: zero, bs: 8k, region: { offset: 0, span: 16M }, iodepth: 2, stop: { ops: 10 } }
`;

describe('metadata-only replay (property)', () => {
  it('matches a full replay on random small workloads', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          seed: fc.integer({ min: 0, max: 1 << 30 }),
          schedSeed: fc.integer({ min: 0, max: 1 << 30 }),
          cache: fc.integer({ min: 1, max: 6 }),
          policy: fc.constantFrom(...POLICY_NAMES),
          tableSize: fc.constantFrom(1, 2),
          parallel: fc.boolean(),
          ops: fc.integer({ min: 1, max: 150 }),
          readShare: fc.integer({ min: 0, max: 100 }),
          iodepth: fc.integer({ min: 1, max: 8 }),
          flushEvery: fc.integer({ min: 0, max: 20 }),
        }),
        async (r) => {
          const set = [
            `seed=${r.seed}`,
            `scheduler.seed=${r.schedSeed}`,
            `cache.size=${r.cache}`,
            `cache.policy=${r.policy}`,
            `image.table_size=${r.tableSize}`,
            `engine.allocation=${r.parallel ? 'parallel' : 'serial'}`,
            `phases[0].jobs[0].stop.ops=${r.ops}`,
            `phases[0].jobs[0].rwmixread=${r.readShare}`,
            `phases[0].jobs[0].iodepth=${r.iodepth}`,
            `phases[0].jobs[0].flush_every=${r.flushEvery}`,
          ];
          const full = await replay('random-small.yaml', set, 'full', RANDOM);
          const meta = await replay('random-small.yaml', set, 'metadata', RANDOM);
          expect(meta.scheduler).toEqual(full.scheduler);
          expect(measured(meta)).toEqual(measured(full));
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});
