import { describe, expect, it } from 'vitest';
import { runWorkload } from '../../src/replay/runner.js';
import { parseWorkload } from '../../src/workload/load.js';
import { RefLru } from '../cache/policy-reference.js';
import { MRC_WORKLOAD } from './mrc-workload.js';

const load = (set: string[] = []) => parseWorkload(MRC_WORKLOAD, 'mrc-small.yaml', { set })[0];

describe('miss-ratio curve of a replay (RunOptions.missRatioCurve)', () => {
  it('is null unless asked for', async () => {
    const out = await runWorkload(load(), { inMemory: true, verify: false });
    expect(out.mrc).toBeNull();
  });

  it("equals an actual lru run's misses ÷ lookups at its capacity (one job, iodepth 1, deterministic)", async () => {
    for (const size of [1, 3, 6, 12]) {
      const out = await runWorkload(load([`cache.size=${size}`]), { inMemory: true, verify: false, missRatioCurve: { sampleRate: 1 } });
      const c = out.total.cache;
      const m = out.mrc!;
      expect(m.kind).toBe('exact');
      expect(m.lookups).toBe(c.lookups);
      expect(m.inserts).toBe(out.total.engine.tablesAllocated);
      expect(m.inserts).toBeGreaterThan(20); // tables created in the mixed phase too
      const i = m.sizes.indexOf(size);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(m.missRatio[i] * m.lookups).toBeCloseTo(c.misses, 6);
      expect(c.misses).toBeGreaterThan(0);
    }
  });

  it('has every size 1..distinct tables, and the stream it saw replays to the same ratios', async () => {
    const seen: Array<[number, string]> = [];
    const out = await runWorkload(load(), {
      inMemory: true,
      verify: false,
      missRatioCurve: { sampleRate: 1 },
      onTableAccess: (t, kind) => seen.push([t, kind]),
    });
    const m = out.mrc!;
    expect(m.distinctTables).toBe(new Set(seen.map(([t]) => t)).size);
    expect(m.sizes).toEqual(Array.from({ length: m.distinctTables }, (_, i) => i + 1));
    for (const size of [1, 2, 5, 9, m.distinctTables]) {
      const lru = new RefLru(size);
      let misses = 0;
      for (const [t, kind] of seen) if (!lru.access(t) && kind !== 'new') misses++;
      expect(m.missRatio[size - 1] * m.lookups).toBeCloseTo(misses, 6);
    }
  });

  it('leaves out the final read-back: the same lookups with and without verification', async () => {
    const verified = await runWorkload(load(), { inMemory: true, verify: true, missRatioCurve: { sampleRate: 1 } });
    const plain = await runWorkload(load(), { inMemory: true, verify: false, missRatioCurve: { sampleRate: 1 } });
    expect(verified.integrity.verdict).toBe('passed');
    expect(verified.integrity.sectorsVerified).toBeGreaterThan(0); // the read-back ran (and looked tables up)
    expect(verified.mrc!.lookups).toBe(verified.total.cache.lookups);
    expect(verified.mrc).toEqual(plain.mrc);
  });

  it('SHARDS below rate 1 reports kind shards and its rate', async () => {
    const out = await runWorkload(load(), { inMemory: true, verify: false, missRatioCurve: { sampleRate: 0.5, sizes: [7] } });
    expect(out.mrc).toMatchObject({ kind: 'shards', sampleRate: 0.5, lookups: out.total.cache.lookups });
    expect(out.mrc!.sizes).toContain(7);
    expect(out.mrc!.sizes).toContain(6);
  });
});
