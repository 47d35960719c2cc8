import { describe, expect, it } from 'vitest';
import { WorkloadError, parseWorkload } from '../../src/workload/load.js';

const BASE = `name: m
image: { size: 1G }
phases:
  - jobs:
      - iodepth: 2
        stop: { ops: 10 }
`;

describe('matrix', () => {
  it('one run per combination, the first key varying slowest, named after its values', () => {
    const runs = parseWorkload(`${BASE}matrix:\n  cache.size: [8, 16, 50]\n  cache.policy: [fifo, fifo-unsafe]\n`, 'm.yaml');
    expect(runs.map((w) => w.name)).toEqual([
      'm[cache.size=8,cache.policy=fifo]',
      'm[cache.size=8,cache.policy=fifo-unsafe]',
      'm[cache.size=16,cache.policy=fifo]',
      'm[cache.size=16,cache.policy=fifo-unsafe]',
      'm[cache.size=50,cache.policy=fifo]',
      'm[cache.size=50,cache.policy=fifo-unsafe]',
    ]);
    expect(runs.map((w) => [w.cache.size, w.cache.policy])).toEqual([
      [8, 'fifo'],
      [8, 'fifo-unsafe'],
      [16, 'fifo'],
      [16, 'fifo-unsafe'],
      [50, 'fifo'],
      [50, 'fifo-unsafe'],
    ]);
  });

  it('varies nested fields, in either path spelling, and normalizes each run', () => {
    const runs = parseWorkload(`${BASE}matrix:\n  phases[0].jobs[0].iodepth: [1, 32]\n  image.size: [1G, 2G]\n`, 'm.yaml');
    expect(runs).toHaveLength(4);
    expect(runs.map((w) => w.phases[0].jobs[0].iodepth)).toEqual([1, 1, 32, 32]);
    // The default region follows each run's image size.
    expect(runs.map((w) => w.phases[0].jobs[0].region.span)).toEqual([1, 2, 1, 2].map((g) => g * 1024 ** 3));
    expect(parseWorkload(`${BASE}matrix:\n  phases.0.jobs.0.iodepth: [4, 8]\n`, 'm.yaml').map((w) => w.phases[0].jobs[0].iodepth)).toEqual([4, 8]);
  });

  it('without a matrix there is one run and the name has no suffix', () => {
    expect(parseWorkload(BASE, 'm.yaml').map((w) => w.name)).toEqual(['m']);
  });

  it('rejects repeated values and empty lists', () => {
    expect(() => parseWorkload(`${BASE}matrix:\n  cache.size: [8, 8]\n`, 'm.yaml')).toThrow(/m\.yaml:8:19: matrix\.cache\.size\[1\]: 8 is listed twice/);
    expect(() => parseWorkload(`${BASE}matrix:\n  cache.size: []\n`, 'm.yaml')).toThrow(/m\.yaml:8:15: matrix\.cache\.size: expected at least one value/);
  });

  it('rejects a matrix over the matrix itself and over list entries that do not exist', () => {
    expect(() => parseWorkload(`${BASE}matrix:\n  matrix.x: [1]\n`, 'm.yaml')).toThrow(/matrix entries cannot be set or varied/);
    expect(() => parseWorkload(`${BASE}matrix:\n  phases[1].name: [a]\n`, 'm.yaml')).toThrow(/phases\[1\] does not exist: phases has 1 entry/);
  });

  it('a cross-field error names the combination it happened in', () => {
    const err = (() => {
      try {
        parseWorkload(`${BASE}matrix:\n  image.size: [1G, 1000]\n`, 'm.yaml');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(WorkloadError);
    expect((err as Error).message).toBe('m.yaml:8:20: image.size: expected a multiple of 512 bytes, found 1000 bytes; use 512 or 1024 (matrix run image.size=1000)');
  });
});
