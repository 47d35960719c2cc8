import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffCounters, snapshot, sumCounters, zipCounters } from '../../src/metrics/counters.js';
import { newEngineStats } from '../../src/qed/stats.js';

const before = {
  capacity: 50,
  policy: 'fifo',
  lookups: 10,
  requests: { read: 3, write: 4, flush: 0 },
  metadataReads: { l1: { ops: 1, bytes: 512 }, l2Table: { ops: 2, bytes: 131072 } },
  tags: ['a'],
};
const after = {
  capacity: 50,
  policy: 'fifo-unsafe',
  lookups: 25,
  requests: { read: 13, write: 4, flush: 2 },
  metadataReads: { l1: { ops: 1, bytes: 512 }, l2Table: { ops: 7, bytes: 458752 } },
  tags: ['b'],
};

describe('counters', () => {
  it('diffCounters subtracts every numeric leaf of nested objects; other values come from the first', () => {
    expect(diffCounters(after, before)).toEqual({
      capacity: 0,
      policy: 'fifo-unsafe',
      lookups: 15,
      requests: { read: 10, write: 0, flush: 2 },
      metadataReads: { l1: { ops: 0, bytes: 0 }, l2Table: { ops: 5, bytes: 327680 } },
      tags: ['b'],
    });
  });

  it('sumCounters adds every numeric leaf', () => {
    expect(sumCounters(after, before)).toEqual({
      capacity: 100,
      policy: 'fifo-unsafe',
      lookups: 35,
      requests: { read: 16, write: 8, flush: 2 },
      metadataReads: { l1: { ops: 2, bytes: 1024 }, l2Table: { ops: 9, bytes: 589824 } },
      tags: ['b'],
    });
  });

  it('neither mutates its inputs', () => {
    const a = snapshot(after);
    const b = snapshot(before);
    diffCounters(a, b);
    sumCounters(a, b);
    expect(a).toEqual(after);
    expect(b).toEqual(before);
  });

  it('snapshot is a deep copy', () => {
    const s = newEngineStats();
    const copy = snapshot(s);
    s.metadataWrites.l2Sector.ops++;
    s.requests.read++;
    expect(copy.metadataWrites.l2Sector.ops).toBe(0);
    expect(copy.requests.read).toBe(0);
  });

  it('diff then sum gives back the later snapshot (property over engine-shaped counters)', () => {
    const leaves = (): fc.Arbitrary<number> => fc.integer({ min: 0, max: 1e9 });
    const statsArb = fc.tuple(fc.array(leaves(), { minLength: 40, maxLength: 40 })).map(([ns]) => {
      const s = newEngineStats();
      let i = 0;
      const fill = (o: Record<string, unknown>): void => {
        for (const k of Object.keys(o)) {
          if (typeof o[k] === 'number') o[k] = ns[i++ % ns.length];
          else fill(o[k] as Record<string, unknown>);
        }
      };
      fill(s as unknown as Record<string, unknown>);
      return s;
    });
    fc.assert(
      fc.property(statsArb, statsArb, (a, b) => {
        expect(sumCounters(diffCounters(a, b), b)).toEqual(a);
        expect(zipCounters(a, b, (x) => x)).toEqual(a);
      }),
    );
  });
});
