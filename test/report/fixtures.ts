/**
 * Report inputs: a tiny sweep made by the real engine (in memory, deterministic scheduler),
 * assembled into a `qed-bench/sweep@1` object as `qed-bench sweep` writes one, and hand-made
 * results with round numbers for exact expectations.
 */
import { buildResults, type RunResults } from '../../src/metrics/results.js';
import { SWEEP_SCHEMA, type SweepResults } from '../../src/metrics/sweep-results.js';
import { runWorkload } from '../../src/replay/runner.js';
import { parseWorkload } from '../../src/workload/load.js';

/** 32 L2 tables, each touched once, then zipf mixed I/O: small caches grow past capacity. */
export function tinyWorkloadYaml(name = 'tiny'): string {
  return `
name: ${JSON.stringify(name)}
seed: 5
image: { size: 64G }
cache: { size: 4, policy: fifo }
scheduler: { mode: deterministic }
phases:
  - name: touch
    jobs: [{ name: w, pattern: strided, stride: 2G, op: write, bs: 4k, iodepth: 4, stop: { ops: 32 } }]
  - name: mixed
    jobs: [{ name: rw, pattern: random, distribution: zipf:1.1, op: mixed, rwmixread: 70, bs: 4k, iodepth: 8, stop: { ops: 300 } }]
`;
}

/** Every size × policy of the tiny workload, replayed by the engine, as one sweep file. */
export async function tinySweep(sizes: number[], policies: string[], name = 'tiny'): Promise<SweepResults> {
  const yaml = tinyWorkloadYaml(name);
  const runs: SweepResults['runs'] = [];
  for (const size of sizes) {
    for (const policy of policies) {
      const [w] = parseWorkload(yaml, 'tiny.yaml', { set: [`cache.size=${size}`, `cache.policy=${policy}`] });
      const outcome = await runWorkload(w, { inMemory: true, missRatioCurve: { sampleRate: 1 } });
      runs.push({ size, policy, results: buildResults(w, outcome) });
    }
  }
  return sweepOf(runs, name);
}

export function sweepOf(runs: SweepResults['runs'], workload: string): SweepResults {
  const first = runs[0].results;
  return {
    schema: SWEEP_SCHEMA,
    tool: first.tool,
    environment: first.environment,
    sweep: {
      workload,
      file: `${workload}.yaml`,
      set: [],
      sizes: [...new Set(runs.map((r) => r.size))],
      policies: [...new Set(runs.map((r) => r.policy))],
      shards: null,
      timing: 'deterministic',
      jobs: 1,
      elapsedMs: 0,
      status: 'completed',
    },
    runs,
  };
}

export interface HandMade {
  workload?: string;
  size: number;
  policy: string;
  hitRate: number;
  mdReads: number;
  peakOver: number;
  /** read latency percentiles in ns: p50, p90, p99, p99.9. */
  read: [number, number, number, number];
  verdict?: 'passed' | 'failed' | 'skipped';
  lostWrites?: number;
}

/**
 * A results object with only the fields the report reads, holding round numbers: the
 * smallest file the report accepts (fields are only ever added within results@1).
 */
export function handMade(h: HandMade): RunResults {
  const lat = (p: [number, number, number, number], count: number) => ({ count, meanNs: p[0], p50: p[0], p90: p[1], p99: p[2], p999: p[3], maxNs: p[3], minNs: p[0] });
  const none = { ops: 0, bytes: 0, errors: 0, iops: 0, mbPerSec: 0, latency: lat([0, 0, 0, 0], 0) };
  const total = {
    name: 'total',
    durationMs: 100,
    requests: 1000,
    ops: { read: { ...none, ops: 1000, latency: lat(h.read, 1000) }, write: none, zero: none, flush: none },
    errorsByCode: {},
    hitRate: h.hitRate,
    metadataReadsPer1000: h.mdReads,
    metadataWritesPer1000: 0,
    peakEntries: h.size + h.peakOver,
    peakOverCapacity: h.peakOver,
    requestsCompletedOverCapacity: 0,
    timeSeries: [
      { t: 0, requests: 0, cacheEntries: 0, hitRate: 0, inFlight: 0 },
      { t: 50, requests: 500, cacheEntries: h.size + h.peakOver, hitRate: h.hitRate, inFlight: 4 },
      { t: 100, requests: 1000, cacheEntries: h.size, hitRate: h.hitRate, inFlight: 0 },
    ],
  };
  return {
    schema: 'qed-bench/results@1',
    timing: 'virtual',
    status: 'completed',
    workload: { name: h.workload ?? 'hand', cache: { size: h.size, policy: h.policy } },
    phases: [{ ...total, name: 'only' }],
    total,
    integrity: {
      verdict: h.verdict ?? 'passed',
      staleReads: 0,
      lostWrites: h.lostWrites ?? 0,
      corruptSectors: 0,
      unexpectedData: 0,
      check: { corruptions: 0, leaks: 0, checkErrors: 0 },
      qemuCheck: null,
    },
    mrc: null,
  } as unknown as RunResults;
}
