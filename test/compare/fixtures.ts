/**
 * Real results for compare tests: a tiny workload replayed by the real engine, in memory,
 * under the deterministic scheduler (so counters repeat exactly), turned into a results file
 * with buildResults. Tests perturb deep copies of it.
 */
import { writeFile } from 'node:fs/promises';
import type { RunResults } from '../../src/metrics/results.js';
import { combineRepeats, type RepeatedResults, type Repeats } from '../../src/experiments/repeat.js';
import { runWorkload } from '../../src/replay/runner.js';
import { buildResults } from '../../src/metrics/results.js';
import { parseWorkload } from '../../src/workload/load.js';

/** 16 MiB image, 1 MiB per L2 table, a cache of 3 tables: misses and evictions in ~250 requests. */
export const TINY_WORKLOAD = `
name: tiny
seed: 11
image: { size: 16M, cluster_size: 4k, table_size: 1 }
cache: { size: 3, policy: fifo }
scheduler: { mode: deterministic, reorder: 4, latency: { read: lognormal:100us:0.3, write: lognormal:200us:0.3 } }
phases:
  - name: fill
    jobs:
      - { name: writer, pattern: random, op: write, bs: 4k, iodepth: 4, stop: { ops: 80 } }
  - name: read
    jobs:
      - { name: reader, pattern: random, distribution: zipf:1.1, op: read, bs: 4k, iodepth: 8, stop: { ops: 200 } }
`;

const cache = new Map<string, Promise<RunResults>>();

/** The tiny workload's results with `set` overrides (memoized: tests get their own deep copy). */
export async function realResults(set: string[] = []): Promise<RunResults> {
  const key = set.join('\n');
  if (!cache.has(key)) {
    cache.set(key, (async () => {
      const [w] = parseWorkload(TINY_WORKLOAD, 'tiny.yaml', { set });
      return buildResults(w, await runWorkload(w, { inMemory: true, qemuCheck: false }));
    })());
  }
  return clone(await cache.get(key)!);
}

/** Repeated samples from real runs: one run per scheduler seed (the noise), counters from `body`. */
export async function repeatedResults(body: RunResults, seeds: number[], set: string[] = []): Promise<RepeatedResults & { repeats: Repeats }> {
  const runs: RunResults[] = [];
  for (const s of seeds) runs.push(await realResults([...set, `scheduler.seed=${s}`]));
  return { ...clone(body), repeats: combineRepeats(runs).results.repeats };
}

export function clone<T>(x: T): T {
  return structuredClone(x);
}

export async function writeJson(path: string, value: unknown): Promise<string> {
  await writeFile(path, `${JSON.stringify(value, null, 2)}\n`);
  return path;
}
