import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createJobSource } from '../../src/workload/generator.js';
import type { BlockSize, Distribution, IoRequest, JobSpec, Operation, Pattern } from '../../src/workload/types.js';

const unit = fc.constantFrom(512, 4096, 65_536);
const fraction = fc.double({ min: 0, max: 1, noNaN: true });

const distribution: fc.Arbitrary<Distribution> = fc.oneof(
  fc.constant({ kind: 'uniform' as const }),
  fc.double({ min: 0.1, max: 3, noNaN: true }).filter((t) => t !== 1).map((theta) => ({ kind: 'zipf' as const, theta })),
  fc.double({ min: 0.01, max: 0.99, noNaN: true }).map((h) => ({ kind: 'pareto' as const, h })),
  fc.record({ kind: fc.constant('normal' as const), sigma: fc.double({ min: 0, max: 2, noNaN: true }), center: fraction }),
  fc
    .array(fc.record({ share: fc.integer({ min: 0, max: 10 }), span: fc.integer({ min: 1, max: 10 }) }), { minLength: 1, maxLength: 4 })
    .filter((zs) => zs.some((z) => z.share > 0))
    .map((zs) => {
      const shares = zs.reduce((a, z) => a + z.share, 0);
      const spans = zs.reduce((a, z) => a + z.span, 0);
      return { kind: 'zoned' as const, zones: zs.map((z) => ({ share: z.share / shares, span: z.span / spans })) };
    }),
);

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.constantFrom<Operation>({ kind: 'read' }, { kind: 'write' }, { kind: 'zero' }),
  fraction.map((readShare) => ({ kind: 'mixed' as const, readShare })),
);

/** A valid job: the region holds at least one aligned unit, the hot area meets the region. */
const job: fc.Arbitrary<JobSpec> = fc
  .record({
    align: unit,
    offset: fc.integer({ min: 0, max: 2 ** 40 }),
    units: fc.integer({ min: 1, max: 5000 }),
    extra: fc.integer({ min: 0, max: 70_000 }),
    sizeUnits: fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 4 }),
    weights: fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 4, maxLength: 4 }),
    bsKind: fc.constantFrom('fixed', 'range', 'split'),
    patternKind: fc.constantFrom('sequential', 'strided', 'random', 'hotspot'),
    stride: fc.integer({ min: 1, max: 1 << 24 }),
    distribution,
    hot: fc.tuple(fraction, fraction),
    share: fraction,
    op: operation,
    ops: fc.integer({ min: 0, max: 300 }),
    flushEvery: fc.integer({ min: 0, max: 5 }),
  })
  .map((g): JobSpec => {
    const base = Math.ceil(g.offset / g.align) * g.align;
    const span = base - g.offset + g.units * g.align + (g.extra % g.align);
    const sizes = g.sizeUnits.map((k) => k * g.align);
    const bs: BlockSize =
      g.bsKind === 'fixed'
        ? { kind: 'fixed', size: sizes[0] + (g.extra % 7) }
        : g.bsKind === 'range'
          ? { kind: 'range', min: Math.min(...sizes), max: Math.max(...sizes) }
          : { kind: 'split', parts: sizes.map((size, i) => ({ size, weight: g.weights[i] })) };
    const hotOffset = base + Math.floor(g.hot[0] * (g.units - 1)) * g.align;
    const pattern: Pattern =
      g.patternKind === 'sequential'
        ? { kind: 'sequential' }
        : g.patternKind === 'strided'
          ? { kind: 'strided', stride: g.stride }
          : g.patternKind === 'random'
            ? { kind: 'random', distribution: g.distribution }
            : { kind: 'hotspot', hotOffset, hotSpan: 1 + Math.floor(g.hot[1] * g.units * g.align), share: g.share };
    return {
      name: 'prop',
      pattern,
      op: g.op,
      bs,
      align: g.align,
      region: { offset: g.offset, span },
      iodepth: 1,
      stop: { ops: g.ops },
      flushEvery: g.flushEvery,
      thinkTimeUs: 0,
    };
  });

function drain(j: JobSpec, seed: number, index: number): IoRequest[] {
  const source = createJobSource(j, seed, index);
  const out: IoRequest[] = [];
  for (let r = source.next(); r; r = source.next()) out.push(r);
  return out;
}

describe('generator properties', () => {
  it('every request is aligned, inside the region, at least one byte, and the stream repeats', () => {
    fc.assert(
      fc.property(job, fc.integer(), fc.nat(64), (j, seed, index) => {
        const rs = drain(j, seed, index);
        const end = j.region.offset + j.region.span;
        const io = rs.filter((r) => r.op !== 'flush');
        expect(io).toHaveLength(j.stop.ops!);
        for (const r of io) {
          expect(Number.isInteger(r.length) && r.length >= 1).toBe(true);
          expect(r.offset % j.align).toBe(0);
          expect(r.offset).toBeGreaterThanOrEqual(j.region.offset);
          expect(r.offset + r.length).toBeLessThanOrEqual(end);
        }
        expect(rs.length - io.length).toBe(j.flushEvery > 0 ? Math.floor(io.length / j.flushEvery) : 0);
        expect(drain(j, seed, index)).toEqual(rs);
      }),
      { numRuns: 300 },
    );
  });
});
