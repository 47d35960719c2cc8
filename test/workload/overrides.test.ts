import { describe, expect, it } from 'vitest';
import { parseWorkload } from '../../src/workload/load.js';

const BASE = `name: s
seed: 3
image: { size: 1G }
phases:
  - jobs:
      - stop: { ops: 10 }
      - bs: 8k
        stop: { ops: 10 }
matrix:
  cache.size: [8, 16]
`;

const load = (...set: string[]) => parseWorkload(BASE, 's.yaml', { set });

describe('--set', () => {
  it('replaces top-level and nested values, parsing them as YAML', () => {
    const [w] = load('seed=99', 'image.size=2G', 'phases[0].jobs[1].bs=64k', 'phases.0.jobs.0.iodepth=8', 'cache.size=16');
    expect(w.seed).toBe(99);
    expect(w.image.size).toBe(2 * 1024 ** 3);
    expect(w.phases[0].jobs[1].bs).toEqual({ kind: 'fixed', size: 65536 });
    expect(w.phases[0].jobs[0].iodepth).toBe(8);
  });

  it('an overridden key leaves the matrix: one run per remaining combination', () => {
    expect(load().map((w) => w.name)).toEqual(['s[cache.size=8]', 's[cache.size=16]']);
    const runs = load('cache.size=32');
    expect(runs.map((w) => [w.name, w.cache.size])).toEqual([['s', 32]]);
  });

  it('creates missing mappings on the way (image.backing.format needs a file too)', () => {
    const [w] = parseWorkload(BASE, '/d/s.yaml', { set: ['image.backing={file: b.raw, format: raw}', 'cache.size=8'], env: { exists: () => true } });
    expect(w.image.backing).toEqual({ file: '/d/b.raw', format: 'raw' });
  });

  it('several cache sizes or policies in one --set point to sweep and matrix:, naming the option', () => {
    expect(() => load('cache.policy=fifo,lru')).toThrow(
      'cache.policy: one value per run, found "fifo,lru"; to compare several, sweep them (qed-bench sweep WORKLOAD --policy fifo,lru) or list them under the workload\'s matrix: (cache.policy: [fifo,lru])',
    );
    expect(() => load('cache.size=[8, 16]')).toThrow('sweep them (qed-bench sweep WORKLOAD --cache-size 8,16)');
    expect(load('cache.policy=lru')[0].cache.policy).toBe('lru');
  });

  it('the last of two overrides of one key wins', () => {
    expect(load('seed=5', 'seed=6')[0].seed).toBe(6);
  });

  it('a value the schema rejects is blamed on the override', () => {
    expect(() => load('phases[0].jobs[0].iodepth=0')).toThrow(
      's.yaml (--set phases[0].jobs[0].iodepth=0): phases[0].jobs[0].iodepth: expected a whole number from 1 to 4096, found 0',
    );
  });
});
