import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createJobSource, type SyncRequestSource } from '../../src/workload/generator.js';
import { Scatter } from '../../src/workload/distributions.js';
import type { IoRequest, JobSpec } from '../../src/workload/types.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

function makeJob(over: Partial<JobSpec> = {}): JobSpec {
  return {
    name: 'test-job',
    pattern: { kind: 'random', distribution: { kind: 'uniform' } },
    op: { kind: 'read' },
    bs: { kind: 'fixed', size: 4 * KiB },
    align: 4 * KiB,
    region: { offset: 0, span: 1 * GiB },
    iodepth: 1,
    stop: {},
    flushEvery: 0,
    thinkTimeUs: 0,
    ...over,
  };
}

function take(source: SyncRequestSource, n: number): IoRequest[] {
  const out: IoRequest[] = [];
  for (let i = 0; i < n; i++) {
    const r = source.next();
    if (!r) break;
    out.push(r);
  }
  return out;
}

function drain(source: SyncRequestSource): IoRequest[] {
  return take(source, Number.MAX_SAFE_INTEGER);
}

const slots = (rs: IoRequest[], base = 0, unit = 4 * KiB): number[] => rs.map((r) => (r.offset - base) / unit);

/** A mix of everything, to compare whole streams. */
const busyJob = makeJob({
  pattern: { kind: 'random', distribution: { kind: 'zipf', theta: 1.2 } },
  op: { kind: 'mixed', readShare: 0.7 },
  bs: { kind: 'split', parts: [{ size: 4 * KiB, weight: 3 }, { size: 64 * KiB, weight: 1 }] },
  flushEvery: 100,
});

describe('determinism', () => {
  it('the same job, seed and index give the same 10k requests', () => {
    for (const job of [busyJob, makeJob({ pattern: { kind: 'hotspot', hotOffset: 0, hotSpan: MiB, share: 0.5 } })]) {
      expect(take(createJobSource(job, 42, 0), 10_000)).toEqual(take(createJobSource(job, 42, 0), 10_000));
    }
  });

  it('another seed or job index gives a different, unrelated stream', () => {
    const a = take(createJobSource(makeJob(), 42, 0), 1000);
    const b = take(createJobSource(makeJob(), 43, 0), 1000);
    const c = take(createJobSource(makeJob(), 42, 1), 1000);
    expect(b).not.toEqual(a);
    expect(c).not.toEqual(a);
    // Not a shifted copy either: over 2^18 blocks two independent streams share almost no offsets.
    const seen = new Set(a.map((r) => r.offset));
    expect(c.filter((r) => seen.has(r.offset)).length).toBeLessThan(20);
    expect(b.filter((r) => seen.has(r.offset)).length).toBeLessThan(20);
  });

  it('matches the recorded stream, so every machine replays the same workload', () => {
    // FNV-1a over (op, offset, length) of the first 10k requests of a fixed job.
    let h = 0x811c9dc5;
    const add = (x: number): void => {
      h = Math.imul(h ^ (x % 2 ** 32), 0x01000193) >>> 0;
      h = Math.imul(h ^ Math.floor(x / 2 ** 32), 0x01000193) >>> 0;
    };
    for (const r of take(createJobSource(busyJob, 2024, 3), 10_000)) {
      add(['read', 'write', 'zero', 'flush'].indexOf(r.op));
      add(r.offset);
      add(r.length);
    }
    expect(h).toBe(GOLDEN_HASH);
  });

  it('offsets do not depend on the operation mix (separate streams)', () => {
    const mixed = take(createJobSource(makeJob({ op: { kind: 'mixed', readShare: 0.3 } }), 5, 0), 1000);
    const reads = take(createJobSource(makeJob(), 5, 0), 1000);
    expect(mixed.map((r) => r.offset)).toEqual(reads.map((r) => r.offset));
  });
});

describe('offsets', () => {
  // An unaligned region: usable from 4096 (1000 rounded up) to 1 MiB (the last whole unit).
  const region = { offset: 1000, span: MiB + 123 };
  const patterns: Array<[string, JobSpec['pattern']]> = [
    ['sequential', { kind: 'sequential' }],
    ['strided', { kind: 'strided', stride: 12 * KiB }],
    ['uniform', { kind: 'random', distribution: { kind: 'uniform' } }],
    ['zipf', { kind: 'random', distribution: { kind: 'zipf', theta: 0.8 } }],
    ['pareto', { kind: 'random', distribution: { kind: 'pareto', h: 0.7 } }],
    ['normal', { kind: 'random', distribution: { kind: 'normal', sigma: 0.3, center: 0.9 } }],
    ['zoned', { kind: 'random', distribution: { kind: 'zoned', zones: [{ share: 0.5, span: 0.01 }, { share: 0.5, span: 0.99 }] } }],
    ['hotspot', { kind: 'hotspot', hotOffset: 0, hotSpan: 64 * KiB, share: 0.9 }],
  ];
  it.each(patterns)('%s: aligned, inside the region, never crossing its end', (_, pattern) => {
    const bs = { kind: 'split' as const, parts: [{ size: 4 * KiB, weight: 1 }, { size: 192 * KiB, weight: 1 }] };
    const rs = take(createJobSource(makeJob({ pattern, region, bs }), 1, 0), 20_000);
    expect(rs).toHaveLength(20_000);
    const bad = rs.filter((r) => r.offset % 4096 !== 0 || r.offset < 4096 || r.offset + r.length > MiB || r.length < 1);
    expect(bad).toEqual([]);
    // The end was reached: some 192 KiB requests were shortened there.
    expect(rs.some((r) => r.length !== 4 * KiB && r.length !== 192 * KiB)).toBe(true);
  });

  it('sequential: follows on, shortens the request at the end, wraps to the start', () => {
    const base = 8 * KiB;
    const job = makeJob({ pattern: { kind: 'sequential' }, bs: { kind: 'fixed', size: 12 * KiB }, region: { offset: base, span: 40 * KiB } });
    const rs = take(createJobSource(job, 1, 0), 8);
    expect(slots(rs, base)).toEqual([0, 3, 6, 9, 0, 3, 6, 9]);
    expect(rs.map((r) => r.length / KiB)).toEqual([12, 12, 12, 4, 12, 12, 12, 4]);
  });

  it('sequential: a length that is not a multiple of align continues at the next aligned offset', () => {
    const job = makeJob({ pattern: { kind: 'sequential' }, bs: { kind: 'fixed', size: 6 * KiB }, region: { offset: 0, span: 20 * KiB } });
    const rs = take(createJobSource(job, 1, 0), 4);
    expect(slots(rs)).toEqual([0, 2, 4, 0]);
    expect(rs.map((r) => r.length / KiB)).toEqual([6, 6, 4, 6]);
  });

  it('strided: stride after the previous start, wrapping modulo the region', () => {
    const region = { offset: 4 * KiB, span: 32 * KiB };
    const expected = [0, 3, 6, 1, 4, 7, 2, 5, 0];
    for (const stride of [12 * KiB, 44 * KiB]) {
      const rs = take(createJobSource(makeJob({ pattern: { kind: 'strided', stride }, region }), 1, 0), 9);
      expect(slots(rs, 4 * KiB)).toEqual(expected);
    }
  });

  it('hotspot: hot area given in absolute disk offsets gets its share plus its uniform part', () => {
    const region = { offset: GiB, span: GiB };
    const hot = { offset: GiB + 256 * MiB, span: 64 * MiB };
    const job = makeJob({ region, pattern: { kind: 'hotspot', hotOffset: hot.offset, hotSpan: hot.span, share: 0.7 } });
    const rs = take(createJobSource(job, 1, 0), 100_000);
    const inHot = rs.filter((r) => r.offset >= hot.offset && r.offset < hot.offset + hot.span).length;
    expect(Math.abs(inHot / rs.length - (0.7 + 0.3 / 16))).toBeLessThan(0.01);
    expect(rs.every((r) => r.offset >= GiB && r.offset < 2 * GiB)).toBe(true);
  });

  it('zipf through the generator: exact probabilities on a small region', () => {
    const n = 8;
    const rs = take(createJobSource(makeJob({
      pattern: { kind: 'random', distribution: { kind: 'zipf', theta: 1.2 } },
      region: { offset: 0, span: n * 4 * KiB },
    }), 3, 0), 200_000);
    const freq = new Array<number>(n).fill(0);
    for (const s of slots(rs)) freq[s]++;
    const scatter = new Scatter(n);
    const norm = Array.from({ length: n }, (_, k) => (k + 1) ** -1.2).reduce((a, b) => a + b);
    for (let k = 0; k < n; k++) expect(Math.abs(freq[scatter.map(k)] / rs.length - (k + 1) ** -1.2 / norm)).toBeLessThan(0.005);
  });

  it('zipf: the hot set is fixed by the region, the same under every seed', () => {
    const job = makeJob({ pattern: { kind: 'random', distribution: { kind: 'zipf', theta: 1.2 } } });
    const hottest = (seed: number): number => {
      const freq = new Map<number, number>();
      for (const r of take(createJobSource(job, seed, 0), 20_000)) freq.set(r.offset, (freq.get(r.offset) ?? 0) + 1);
      return [...freq.entries()].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
    };
    expect(hottest(1)).toBe(hottest(2));
    expect(hottest(1)).not.toBe(0);
  });
});

describe('operations and block sizes', () => {
  it('mixed: reads at the requested share, the rest writes', () => {
    const rs = take(createJobSource(makeJob({ op: { kind: 'mixed', readShare: 0.3 } }), 8, 0), 100_000);
    const reads = rs.filter((r) => r.op === 'read').length;
    expect(Math.abs(reads / rs.length - 0.3)).toBeLessThan(0.01);
    expect(rs.every((r) => r.op === 'read' || r.op === 'write')).toBe(true);
  });

  it('fixed operations stay fixed', () => {
    for (const kind of ['read', 'write', 'zero'] as const) {
      const rs = take(createJobSource(makeJob({ op: { kind } }), 8, 0), 1000);
      expect(new Set(rs.map((r) => r.op))).toEqual(new Set([kind]));
    }
  });

  // Sequential over 8 GiB: 100k requests never reach the end, so no length is shortened.
  const seqJob = (bs: JobSpec['bs']): JobSpec => makeJob({ bs, pattern: { kind: 'sequential' }, region: { offset: 0, span: 8 * GiB } });

  it('split: sizes at their weights over 100k requests', () => {
    const parts = [{ size: 4 * KiB, weight: 1 }, { size: 16 * KiB, weight: 2 }, { size: 64 * KiB, weight: 7 }];
    const rs = take(createJobSource(seqJob({ kind: 'split', parts }), 1, 0), 100_000);
    for (const p of parts) {
      const share = rs.filter((r) => r.length === p.size).length / rs.length;
      expect(Math.abs(share - p.weight / 10)).toBeLessThan(0.01);
    }
  });

  it('range: uniform multiples of align in [min, max]', () => {
    const rs = take(createJobSource(seqJob({ kind: 'range', min: 4 * KiB, max: 32 * KiB }), 1, 0), 100_000);
    for (let k = 1; k <= 8; k++) {
      const share = rs.filter((r) => r.length === k * 4 * KiB).length / rs.length;
      expect(Math.abs(share - 1 / 8)).toBeLessThan(0.01);
    }
  });
});

describe('stop and flush', () => {
  it('stop.ops: exactly that many requests, then null for good', () => {
    const source = createJobSource(busyJob, 1, 0);
    const rs = take(source, 2000);
    expect(rs.filter((r) => r.op !== 'flush')).toHaveLength(2000 - 19); // 2000 = 19 × (100 requests + a flush) + 81
    const counted = drain(createJobSource({ ...busyJob, stop: { ops: 1234 } }, 1, 0)).filter((r) => r.op !== 'flush');
    expect(counted).toHaveLength(1234);
    const ended = createJobSource(makeJob({ stop: { ops: 3 } }), 1, 0);
    expect(take(ended, 10)).toHaveLength(3);
    expect([ended.next(), ended.next()]).toEqual([null, null]);
    expect(createJobSource(makeJob({ stop: { ops: 0 } }), 1, 0).next()).toBeNull();
  });

  it('stop.bytes: ends with the first request that reaches the total, not shortened', () => {
    const bytes = 10 * MiB + 100;
    const rs = drain(createJobSource({ ...busyJob, stop: { bytes } }, 1, 0)).filter((r) => r.op !== 'flush');
    const total = rs.reduce((sum, r) => sum + r.length, 0);
    expect(total).toBeGreaterThanOrEqual(bytes);
    expect(total - rs[rs.length - 1].length).toBeLessThan(bytes);
    expect(rs.every((r) => r.length === 4 * KiB || r.length === 64 * KiB)).toBe(true);
  });

  it('the first of stop.ops and stop.bytes to be reached ends the stream', () => {
    expect(drain(createJobSource(makeJob({ stop: { ops: 10, bytes: 8 * KiB } }), 1, 0))).toHaveLength(2);
    expect(drain(createJobSource(makeJob({ stop: { ops: 2, bytes: MiB } }), 1, 0))).toHaveLength(2);
  });

  it('durationMs alone: the stream does not end', () => {
    expect(take(createJobSource(makeJob({ stop: { durationMs: 1 } }), 1, 0), 100_000)).toHaveLength(100_000);
  });

  it('flushEvery: a flush after every Nth request, including the last', () => {
    const ops = (stop: number): string =>
      drain(createJobSource(makeJob({ flushEvery: 3, stop: { ops: stop } }), 1, 0)).map((r) => r.op[0]).join('');
    expect(ops(7)).toBe('rrrfrrrfr');
    expect(ops(6)).toBe('rrrfrrrf');
    const flush = drain(createJobSource(makeJob({ flushEvery: 1, stop: { ops: 1 } }), 1, 0))[1];
    expect(flush).toEqual({ op: 'flush', offset: 0, length: 0 });
  });
});

describe('bad jobs', () => {
  it('throws a RangeError naming the job', () => {
    const bad: Array<[Partial<JobSpec>, RegExp]> = [
      [{ region: { offset: 100, span: 4000 } }, /holds no whole/],
      [{ op: { kind: 'mixed', readShare: 1.5 } }, /readShare/],
      [{ pattern: { kind: 'hotspot', hotOffset: 2 * GiB, hotSpan: MiB, share: 0.5 } }, /hot area/],
      [{ pattern: { kind: 'strided', stride: 0 } }, /stride/],
      [{ flushEvery: -1 }, /flushEvery/],
      [{ bs: { kind: 'fixed', size: 0 } }, /block size/],
    ];
    for (const [over, message] of bad) {
      expect(() => createJobSource(makeJob({ ...over, name: 'bad-one' }), 1, 0)).toThrow(message);
      expect(() => createJobSource(makeJob({ ...over, name: 'bad-one' }), 1, 0)).toThrow(/job "bad-one"/);
    }
  });
});

describe('memory', () => {
  it('5 million requests keep the heap flat', { timeout: 300_000 }, () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const source = createJobSource({ ...busyJob, stop: { ops: 5_000_000 } }, 1, 0);
    let n = 0;
    let sum = 0;
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let r = source.next(); r; r = source.next()) {
      n++;
      sum += r.length;
    }
    gc();
    const growth = process.memoryUsage().heapUsed - before;
    expect(n).toBe(5_050_000); // 5M requests and a flush after every 100th
    expect(sum).toBeGreaterThan(0);
    expect(growth).toBeLessThan(4 * MiB);
  });
});

/** Recorded from this implementation; a change means every seeded workload changes. */
const GOLDEN_HASH = 3621814750;
