/** The deep diff shared by run --repeat and bench:ci. */
import { describe, expect, it } from 'vitest';
import { differingLeaves } from '../../src/metrics/diff.js';

describe('differingLeaves', () => {
  const a = { cache: { hits: 5, loads: 2 }, errorsByCode: {}, list: [1, 2], same: { x: [1] } };
  const b = { cache: { hits: 4, loads: 2 }, errorsByCode: { EIO: 1 }, list: [1, 2, 3], same: { x: [1] } };

  it('keys of either side by default: a key only b has shows as undefined → value', () => {
    expect(differingLeaves(a, b)).toEqual([
      { path: 'cache.hits', a: 5, b: 4 },
      { path: 'errorsByCode.EIO', a: undefined, b: 1 },
      { path: 'list.length', a: 2, b: 3 },
      { path: 'list.2', a: undefined, b: 3 },
    ]);
  });

  it("keys: 'a' ignores what only b has, except an array's length; limit stops early", () => {
    expect(differingLeaves(a, b, { keys: 'a' }).map((d) => d.path)).toEqual(['cache.hits', 'list.length']);
    expect(differingLeaves(a, b, { limit: 1 }).map((d) => d.path)).toEqual(['cache.hits']);
    expect(differingLeaves(a, structuredClone(a))).toEqual([]);
    expect(differingLeaves({ v: null }, { v: {} })).toEqual([{ path: 'v', a: null, b: {} }]);
  });
});
