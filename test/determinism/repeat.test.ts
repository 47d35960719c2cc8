/**
 * Under the deterministic scheduler a replay is a pure function of workload + seed: two runs of
 * a reduced mixed-parallel give the same results file (but for wall-clock, path and machine
 * fields) and byte-identical images; a different scheduler seed gives a different run.
 */
import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildResults } from '../../src/metrics/results.js';
import { runWorkload, type RunOutcome } from '../../src/replay/runner.js';
import { parseWorkload } from '../../src/workload/load.js';

const MIXED = 'workloads/mixed-parallel.yaml';
const SMALL = [
  'scheduler.mode=deterministic',
  'phases[0].jobs[0].stop.ops=120',
  'phases[1].jobs[0].stop.ops=300',
  'phases[1].jobs[0].flush_every=100',
  'phases[1].jobs[1].stop.ops=1500',
  'phases[1].jobs[2].stop.ops=600',
];

interface Replay {
  outcome: RunOutcome;
  /** The results JSON without the fields that legitimately differ between runs. */
  json: string;
  image: Buffer;
}

async function replay(extra: string[] = []): Promise<Replay> {
  const [w] = parseWorkload(readFileSync(MIXED, 'utf8'), MIXED, { set: [...SMALL, ...extra] });
  w.image.keep = true;
  const outcome = await runWorkload(w, { qemuCheck: false });
  const image = await readFile(outcome.image.path);
  await rm(dirname(outcome.image.path), { recursive: true, force: true });
  const r = buildResults(w, outcome) as unknown as Record<string, unknown>;
  const { startedAt: _s, finishedAt: _f, environment: _e, tool: _t, ...rest } = r;
  const img = { ...(rest.image as Record<string, unknown>) };
  delete img.path;
  return { outcome, json: JSON.stringify({ ...rest, image: img }, null, 1), image };
}

describe('deterministic replay of mixed-parallel (reduced)', () => {
  let a: Replay;
  let b: Replay;
  beforeAll(async () => {
    [a, b] = [await replay(), await replay()];
  });
  afterAll(() => {
    a = b = undefined as unknown as Replay;
  });

  it('did real work: virtual timing, both phases, reads verified, integrity passed', () => {
    const o = a.outcome;
    expect(o.timing).toBe('virtual');
    expect(o.phases.map((p) => p.name)).toEqual(['prefill', 'mixed']);
    expect(o.total.requests).toBeGreaterThan(2500);
    expect(o.scheduler!.completed).toBeGreaterThan(1000); // backend requests (reads of holes need none)
    expect(o.integrity.verdict).toBe('passed');
    expect(o.integrity.readsVerified).toBeGreaterThan(1000);
    expect(o.total.cache.misses).toBeGreaterThan(0);
    expect(o.image.kept).toBe(true);
  });

  it('gives byte-identical results except wall-clock, image path, environment and tool', () => {
    expect(b.json.length).toBeGreaterThan(10_000);
    expect(b.json).toBe(a.json);
    // the latencies are virtual, so even the percentiles repeat
    expect(b.outcome.total.ops.read.latency).toEqual(a.outcome.total.ops.read.latency);
  });

  it('leaves byte-identical images', () => {
    expect(a.image.length).toBeGreaterThan(1 << 20);
    expect(b.image.length).toBe(a.image.length);
    expect(Buffer.compare(a.image, b.image)).toBe(0);
  });

  it('a different scheduler seed completes requests in another order', async () => {
    const c = await replay(['scheduler.seed=7']);
    expect(c.outcome.integrity.verdict).toBe('passed');
    expect(c.json).not.toBe(a.json);
    // same request streams (the workload seed is unchanged): same amount of work
    expect(c.outcome.total.requests).toBe(a.outcome.total.requests);
  });
});
