/**
 * Property: any valid workload, written as YAML with its sizes, durations and fio strings
 * spelt any accepted way and its defaults sometimes left out, loads back to exactly itself.
 * The expected values are built here, not by the loader's own functions.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseWorkload } from '../../src/workload/load.js';
import type { BlockSize, Distribution, JobSpec, Operation, Pattern, Stop, Workload } from '../../src/workload/types.js';
import { Rng } from '../helpers/prng.js';

const KiB = 1024;

/** Every way to write `n` bytes that the format accepts. */
function sizeSpellings(n: number): Array<number | string> {
  const out: Array<number | string> = [n, String(n)];
  const units = [
    ['k', 'K', 'KiB', 'kb'],
    ['M', 'MiB', 'm'],
    ['G', 'GiB', 'g'],
  ];
  units.forEach((names, i) => {
    const u = KiB ** (i + 1);
    if (n % u === 0) out.push(...names.map((s) => `${n / u}${s}`), `${n / u} ${names[0]}`);
  });
  return out;
}

function durationSpellings(us: number): string[] {
  const out = [`${us}us`, `${us}µs`];
  if (us % 1000 === 0) out.push(`${us / 1000}ms`);
  if (us % 1e6 === 0) out.push(`${us / 1e6}s`);
  return out;
}

const pct = (n: number) => n / 100;

const distribution: fc.Arbitrary<{ text: string; value: Distribution }> = fc.oneof(
  fc.constant({ text: 'uniform', value: { kind: 'uniform' } as Distribution }),
  fc.integer({ min: 1, max: 300 }).filter((t) => t !== 100).map((t) => ({ text: `zipf:${t / 100}`, value: { kind: 'zipf', theta: t / 100 } as Distribution })),
  fc.integer({ min: 1, max: 99 }).map((h) => ({ text: `pareto:${h / 100}`, value: { kind: 'pareto', h: h / 100 } as Distribution })),
  fc.tuple(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 100 })).map(([s, c]) => ({
    text: `normal:${s}%:${c}`,
    value: { kind: 'normal', sigma: pct(s), center: pct(c) } as Distribution,
  })),
  // Shares and spans in whole percents summing to 100: cut points of [0, 100].
  fc
    .tuple(fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { maxLength: 3 }), fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 4, maxLength: 4 }))
    .map(([cuts, raw]) => {
      const edges = [0, ...[...cuts].sort((a, b) => a - b), 100];
      const spans = edges.slice(1).map((e, i) => e - edges[i]);
      const shares = spans.map((_, i) => raw[i]);
      shares[shares.length - 1] = 100 - shares.slice(0, -1).reduce((a, b) => a + b, 0);
      return { spans, shares };
    })
    .filter(({ shares }) => shares.every((s) => s >= 0))
    .map(({ spans, shares }) => ({
      text: `zoned:${spans.map((s, i) => `${shares[i]}/${s}`).join(':')}`,
      value: { kind: 'zoned', zones: spans.map((s, i) => ({ share: pct(shares[i]), span: pct(s) })) } as Distribution,
    })),
);

interface GenYaml {
  bs: BlockSize;
  align: number;
  region: { offset: number; span: number };
  pattern: { pattern: string; distribution?: string; stride?: number; hotspot?: { offset: number; span: number; share: number } };
  op: Operation;
  iodepth: number;
  stop: { ops?: number; bytes?: number; durationUs?: number };
  flushEvery: number;
  thinkTimeUs: number;
}

interface GenJob {
  spec: Omit<JobSpec, 'name'>;
  /** The same job in YAML terms, before spelling choices. */
  yaml: GenYaml;
}

function jobArb(imageSize: number): fc.Arbitrary<GenJob> {
  const align = fc.integer({ min: 9, max: 12 }).map((e) => 2 ** e);
  const bsArb = (a: number): fc.Arbitrary<BlockSize> =>
    fc.oneof(
      fc.integer({ min: 1, max: 64 * KiB }).map((size): BlockSize => ({ kind: 'fixed', size })),
      fc.tuple(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 8 })).map(([lo, extra]): BlockSize => ({ kind: 'range', min: lo * a, max: (lo + extra) * a })),
      fc.array(fc.tuple(fc.integer({ min: 1, max: 64 * KiB }), fc.integer({ min: 1, max: 100 })), { minLength: 1, maxLength: 3 }).map(
        (parts): BlockSize => ({ kind: 'split', parts: parts.map(([size, weight]) => ({ size, weight })) }),
      ),
    );
  return align.chain((a) =>
    bsArb(a).chain((bs) => {
      const maxBs = bs.kind === 'fixed' ? bs.size : bs.kind === 'range' ? bs.max : Math.max(...bs.parts.map((p) => p.size));
      // A region holds the largest block and one whole align unit.
      const least = Math.max(maxBs, a);
      const slots = Math.floor((imageSize - least) / a);
      return fc.integer({ min: 0, max: slots }).chain((k) => {
        const offset = k * a;
        return fc.integer({ min: least, max: imageSize - offset }).chain((span) =>
          fc
            .record({
              pattern: patternArb(offset, span, a, maxBs),
              op: fc.oneof(
                fc.constantFrom<Operation>({ kind: 'read' }, { kind: 'write' }, { kind: 'zero' }),
                fc.integer({ min: 0, max: 100 }).map((r): Operation => ({ kind: 'mixed', readShare: pct(r) })),
              ),
              iodepth: fc.integer({ min: 1, max: 4096 }),
              stop: fc
                .record({ ops: fc.integer({ min: 1, max: 1e6 }), bytes: fc.integer({ min: 1, max: 1 << 30 }), durationUs: fc.integer({ min: 1, max: 1e8 }) }, { requiredKeys: [] })
                .filter((s) => Object.keys(s).length > 0),
              flushEvery: fc.integer({ min: 0, max: 1000 }),
              thinkTimeUs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1e6 })),
            })
            .map((r): GenJob => {
              const stop: Stop = {};
              if (r.stop.ops !== undefined) stop.ops = r.stop.ops;
              if (r.stop.bytes !== undefined) stop.bytes = r.stop.bytes;
              if (r.stop.durationUs !== undefined) stop.durationMs = r.stop.durationUs / 1000;
              const total = bs.kind === 'split' ? bs.parts.reduce((s, p) => s + p.weight, 0) : 1;
              const normBs: BlockSize = bs.kind === 'split' ? { kind: 'split', parts: bs.parts.map((p) => ({ size: p.size, weight: p.weight / total })) } : bs;
              const spec = { pattern: r.pattern.value, op: r.op, bs: normBs, align: a, region: { offset, span }, iodepth: r.iodepth, stop, flushEvery: r.flushEvery, thinkTimeUs: r.thinkTimeUs };
              return { spec, yaml: { bs, align: a, region: { offset, span }, pattern: r.pattern.yaml, op: r.op, iodepth: r.iodepth, stop: r.stop, flushEvery: r.flushEvery, thinkTimeUs: r.thinkTimeUs } };
            }),
        );
      });
    }),
  );
}

type GenPattern = { value: Pattern; yaml: GenYaml['pattern'] };

function patternArb(offset: number, span: number, a: number, maxBs: number): fc.Arbitrary<GenPattern> {
  const options: Array<fc.Arbitrary<GenPattern>> = [
    fc.constant({ value: { kind: 'sequential' } as Pattern, yaml: { pattern: 'sequential' } }),
    distribution.map((d) => ({ value: { kind: 'random', distribution: d.value } as Pattern, yaml: { pattern: 'random', distribution: d.text } })),
  ];
  if (span >= a) {
    options.push(fc.integer({ min: 1, max: Math.floor(span / a) }).map((m) => ({ value: { kind: 'strided', stride: m * a } as Pattern, yaml: { pattern: 'strided', stride: m * a } })));
  }
  // The hot area starts at an aligned offset inside the region's whole align units.
  const hot = Math.min(Math.floor((span - maxBs) / a), Math.floor(span / a) - 1);
  options.push(
    fc.integer({ min: 0, max: hot }).chain((r) =>
      fc.tuple(fc.integer({ min: maxBs, max: span - r * a }), fc.integer({ min: 0, max: 100 })).map(([hotSpan, share]) => ({
        value: { kind: 'hotspot', hotOffset: offset + r * a, hotSpan, share: pct(share) } as Pattern,
        yaml: { pattern: 'hotspot', hotspot: { offset: r * a, span: hotSpan, share } },
      })),
    ),
  );
  return fc.oneof(...options);
}

const workloadArb = fc
  .record({
    clusterSize: fc.constantFrom(4096, 65536, 1 << 20),
    tableSize: fc.constantFrom(1, 2, 4, 8, 16),
    // Multiples of 64 KiB up to 1 GiB: within the maximum of every geometry above.
    units: fc.integer({ min: 1, max: 16384 }),
    seed: fc.integer({ min: 0, max: 2 ** 32 }),
    cacheSize: fc.integer({ min: 1, max: 1000 }),
    policy: fc.constantFrom('fifo', 'fifo-unsafe'),
    allocation: fc.constantFrom('serial' as const, 'parallel' as const),
    named: fc.boolean(),
  })
  .chain((w) => {
    const size = w.units * 64 * KiB;
    return fc.record({
      w: fc.constant({ ...w, size }),
      phases: fc.array(fc.array(jobArb(size), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
      spelling: fc.integer(),
    });
  });

type Gen = typeof workloadArb extends fc.Arbitrary<infer T> ? T : never;

/** The YAML text for a generated workload, choosing spellings and omissions with `rng`. */
function render(g: Gen, rng: Rng): string {
  const size = (n: number) => rng.pick(sizeSpellings(n));
  const omit = (isDefault: boolean) => isDefault && rng.chance(0.5);
  const doc: Record<string, unknown> = {};
  if (g.w.named) doc.name = 'named-workload';
  if (!omit(g.w.seed === 1)) doc.seed = g.w.seed;
  doc.image = { size: size(g.w.size), cluster_size: size(g.w.clusterSize), table_size: g.w.tableSize };
  const cache: Record<string, unknown> = {};
  if (!omit(g.w.cacheSize === 50)) cache.size = g.w.cacheSize;
  if (!omit(g.w.policy === 'fifo')) cache.policy = g.w.policy;
  doc.cache = cache;
  if (!omit(g.w.allocation === 'serial')) doc.engine = { allocation: g.w.allocation };
  doc.phases = g.phases.map((jobs, i) => ({
    ...(g.w.named ? { name: `p${i}` } : {}),
    jobs: jobs.map((j, k) => {
      const y = j.yaml as GenYaml;
      const out: Record<string, unknown> = g.w.named ? { name: `j${k}` } : {};
      const pat = y.pattern;
      if (!omit(pat.pattern === 'random')) out.pattern = pat.pattern;
      if (pat.distribution !== undefined && !omit(pat.distribution === 'uniform')) out.distribution = pat.distribution;
      if (pat.stride !== undefined) out.stride = size(pat.stride);
      if (pat.hotspot) out.hotspot = { offset: size(pat.hotspot.offset), span: size(pat.hotspot.span), share: rng.chance(0.5) ? pat.hotspot.share : `${pat.hotspot.share}%` };
      if (!omit(y.op.kind === 'read')) out.op = y.op.kind;
      if (y.op.kind === 'mixed') out.rwmixread = Math.round(y.op.readShare * 100);
      const bs: BlockSize = y.bs;
      if (bs.kind === 'fixed') out.bs = size(bs.size);
      else if (bs.kind === 'range') out.bs = `${size(bs.min)}-${size(bs.max)}`;
      else out.bs = rng.chance(0.5) ? bs.parts.map((p) => ({ bs: size(p.size), weight: p.weight })) : bs.parts.map((p) => `${size(p.size)}/${p.weight}`).join(':');
      out.align = size(y.align);
      if (!omit(y.region.offset === 0 && y.region.span === g.w.size)) out.region = { offset: size(y.region.offset), span: size(y.region.span) };
      if (!omit(y.iodepth === 1)) out.iodepth = y.iodepth;
      const stop: Record<string, unknown> = {};
      if (y.stop.ops !== undefined) stop.ops = y.stop.ops;
      if (y.stop.bytes !== undefined) stop.bytes = size(y.stop.bytes);
      if (y.stop.durationUs !== undefined) stop.duration = rng.pick(durationSpellings(y.stop.durationUs));
      out.stop = stop;
      if (!omit(y.flushEvery === 0)) out.flush_every = y.flushEvery;
      if (!omit(y.thinkTimeUs === 0)) out.think_time = y.thinkTimeUs === 0 ? 0 : rng.pick(durationSpellings(y.thinkTimeUs));
      return out;
    }),
  }));
  return stringify(doc);
}

function expected(g: Gen): Workload {
  return {
    name: g.w.named ? 'named-workload' : 'prop',
    description: '',
    source: 'prop.yaml',
    seed: g.w.seed,
    image: { path: null, size: g.w.size, clusterSize: g.w.clusterSize, tableSize: g.w.tableSize, backing: null, keep: false },
    cache: { size: g.w.cacheSize, policy: g.w.policy },
    engine: { allocation: g.w.allocation },
    // Not generated: the defaults (real I/O timing, no faults).
    scheduler: {
      mode: 'real',
      seed: g.w.seed,
      reorder: 4,
      latency: { read: { kind: 'constant', us: 100 }, write: { kind: 'constant', us: 200 }, flush: { kind: 'constant', us: 1000 } },
      faults: [],
      powerCut: null,
    },
    phases: g.phases.map((jobs, i) => ({
      name: g.w.named ? `p${i}` : `phase-${i + 1}`,
      jobs: jobs.map((j, k) => ({ name: g.w.named ? `j${k}` : `job-${k + 1}`, ...j.spec })),
    })),
  };
}

describe('YAML round trip', () => {
  it('a generated workload, spelt any accepted way, loads back to the same values', () => {
    fc.assert(
      fc.property(workloadArb, (g) => {
        const text = render(g, new Rng(g.spelling));
        const runs = parseWorkload(text, 'prop.yaml');
        expect(runs).toEqual([expected(g)]);
      }),
      { numRuns: 300 },
    );
  });
});
