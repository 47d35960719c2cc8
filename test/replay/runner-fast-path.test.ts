/**
 * The wall-clock runner's fast path (verify off: a worker awaits the engine itself, reuses its
 * buffers, reads the wall clock) counts every request exactly as the verified path does: the
 * same requests, bytes, errors and latency samples per operation, the same time-series sampling,
 * and latencies that are real durations.
 */
import { describe, expect, it } from 'vitest';
import { OPS } from '../../src/metrics/phase.js';
import { wallClock } from '../../src/replay/clock.js';
import { runWorkload } from '../../src/replay/runner.js';
import { parseWorkload } from '../../src/workload/load.js';

const YAML = `name: fast-path
image: { size: 64M, cluster_size: 64K }
cache: { size: 4, policy: lru }
phases:
  - name: fill
    jobs: [{ pattern: sequential, op: write, bs: 64K, iodepth: 8, stop: { ops: 300 } }]
  - name: mixed
    jobs:
      - { pattern: random, op: mixed, rwmixread: 60, bs: 4K, iodepth: 16, stop: { ops: 3000 }, flush_every: 500 }
      - { pattern: random, op: read, bs: 4k-32k, iodepth: 4, stop: { ops: 700 } }
`;

describe('the wall-clock runner without verification', () => {
  it('counts the same requests, bytes and latency samples per operation as with verification', async () => {
    const [w] = parseWorkload(YAML, 'fast-path.yaml');
    const fast = await runWorkload(w, { verify: false, qemuCheck: false, sampleEvery: 100 });
    const verified = await runWorkload(w, { verify: true, qemuCheck: false, sampleEvery: 100 });
    expect(verified.integrity.verdict).toBe('passed');
    expect(fast.phases.map((p) => p.requests)).toEqual([300, 3000 + 6 + 700]);
    for (let i = 0; i < 2; i++) {
      const [f, v] = [fast.phases[i], verified.phases[i]];
      expect(f.requests).toBe(v.requests);
      expect(f.errorsByCode).toEqual({});
      expect(f.timeSeries.map((t) => t.requests)).toEqual(v.timeSeries.map((t) => t.requests));
      for (const op of OPS) {
        expect({ op, ops: f.ops[op].ops, bytes: f.ops[op].bytes, errors: f.ops[op].errors, count: f.ops[op].latency.count }).toEqual({ op, ops: v.ops[op].ops, bytes: v.ops[op].bytes, errors: v.ops[op].errors, count: v.ops[op].latency.count });
        if (f.ops[op].ops > 0) expect(f.ops[op].latency.count).toBe(f.ops[op].ops);
      }
      // Latencies are durations in ns: a request through the engine takes well over 100 ns (a clock
      // in ms or µs would give values the recorder clamps to 1), and all of them together fit in the
      // phase's duration times its depth (20 at most here).
      for (const op of OPS) {
        const { count, meanNs } = f.ops[op].latency;
        if (count === 0) continue;
        expect(meanNs, op).toBeGreaterThan(100);
        expect(meanNs * count, op).toBeLessThanOrEqual(20 * f.durationMs * 1e6);
      }
      expect(f.ops.write.latency.maxNs).toBeLessThanOrEqual(f.durationMs * 1e6);
      expect(f.timeSeries.every((t, k) => k === 0 || t.t >= f.timeSeries[k - 1].t)).toBe(true);
    }
  });

  it('the wall clock is monotonic nanoseconds', async () => {
    const a = wallClock.now();
    await new Promise((r) => setTimeout(r, 20));
    const b = wallClock.now();
    expect(b - a).toBeGreaterThan(15e6);
    expect(b - a).toBeLessThan(5e9);
  });
});
