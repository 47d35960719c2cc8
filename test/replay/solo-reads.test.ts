/**
 * A read worker that goes on without a microtask turn (SoloReads) changes nothing: a
 * metadata-only replay with its mapping check (workers await the engine directly, solo) and a
 * full replay with byte verification (every request through issue(), never solo) give the same
 * counters, series and virtual latencies on read phases with misses, duplicate loads and iodepth > 1;
 * likewise when the last worker to begin waiting takes the scheduler's next step itself (stepNow).
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeterministicScheduler } from '../../src/io/scheduler.js';
import { runWorkload, type RunOutcome } from '../../src/replay/runner.js';
import { SoloReads } from '../../src/replay/solo-reads.js';
import { parseWorkload } from '../../src/workload/load.js';

const ZIPF = `name: solo-zipf
seed: 3
image: { size: 40G, cluster_size: 64k, table_size: 4 }
cache: { size: 10, policy: lru }
scheduler: { mode: deterministic }
phases:
  - name: touch
    jobs: [{ name: one-per-table, pattern: strided, stride: 2G, op: write, bs: 4k, iodepth: 4, stop: { ops: 20 } }]
  - name: read
    jobs:
      - { name: a, pattern: random, distribution: "zipf:1.1", op: read, bs: 4k, iodepth: 16, stop: { ops: 4000 } }
      - { name: b, pattern: random, op: read, bs: 64k, iodepth: 3, stop: { ops: 500 } }
`;

/** Reads that span clusters (several runs: the engine's general read, its own promise chain) beside single-run ones. */
const SPANNING = `name: solo-spanning
seed: 5
image: { size: 64M, cluster_size: 4k, table_size: 1 }
cache: { size: 3, policy: lru }
scheduler: { mode: deterministic, reorder: 3 }
phases:
  - name: fill
    jobs: [{ name: w, pattern: random, op: write, bs: 4k, iodepth: 4, stop: { ops: 3000 } }]
  - name: reads
    jobs:
      - { name: z, pattern: random, distribution: "zipf:0.9", op: read, bs: 4k, iodepth: 8, stop: { ops: 3000 } }
      - { name: u, pattern: random, op: read, bs: 8k, align: 2k, iodepth: 5, stop: { ops: 1500 } }
      - { name: s, pattern: sequential, op: read, bs: 64k, iodepth: 2, stop: { ops: 250 } }
`;

function measured(o: RunOutcome): unknown {
  return { phases: o.phases, total: o.total, timing: o.timing, status: o.status };
}

async function replay(text: string, name: string, set: string[], store: 'full' | 'metadata'): Promise<RunOutcome> {
  const [w] = parseWorkload(text, name, { set: ['scheduler.mode=deterministic', ...set] });
  return runWorkload(w, { inMemory: true, store, verify: true, qemuCheck: false });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('solo read workers', () => {
  const cases: Array<[string, string, string[]]> = [
    ['two read jobs over default-geometry tables', ZIPF, []],
    ['bench/ci/zipf-read.yaml', readFileSync('bench/ci/zipf-read.yaml', 'utf8'), ['phases[1].jobs[0].stop.ops=4000']],
    // A worker whose read is a promise chain of its own must not take the step before that chain settles.
    ['reads of several runs', SPANNING, []],
  ];
  for (const [name, text, set] of cases) {
    it(`${name}: the same measurements as a replay whose workers take every turn`, async () => {
      const alone = vi.spyOn(SoloReads.prototype, 'alone');
      const stepNow = vi.spyOn(DeterministicScheduler.prototype, 'stepNow');
      const meta = await replay(text, name, set, 'metadata');
      const solo = alone.mock.results.filter((r) => r.value === true).length;
      expect(solo).toBeGreaterThan(100); // the path under test was taken
      expect(stepNow.mock.results.filter((r) => r.value === true).length).toBeGreaterThan(100);
      alone.mockClear();
      stepNow.mockClear();
      const full = await replay(text, name, set, 'full');
      expect(alone).not.toHaveBeenCalled();
      expect(stepNow).not.toHaveBeenCalled();
      expect(meta.total.cache.misses).toBeGreaterThan(100);
      expect(meta.integrity.verdict).toBe('passed');
      expect(full.integrity.verdict).toBe('passed');
      expect(measured(meta)).toEqual(measured(full));
    }, 60_000);
  }
});
