import { describe, expect, it } from 'vitest';
import { parseBlockSize, parseDistribution } from '../../src/workload/fio.js';
import { formatPath, parsePath } from '../../src/config/paths.js';
import { didYouMean, editDistance } from '../../src/config/suggest.js';
import { Expected, bytes, bytesOrPercent, micros, percent } from '../../src/config/units.js';

describe('sizes, percentages, durations', () => {
  it('sizes are binary and exact', () => {
    expect([512, '4k', '64K', '64KiB', '1M', '2G', '1T', '1.5k'].map((v) => bytes(v))).toEqual([512, 4096, 65536, 65536, 2 ** 20, 2 ** 31, 2 ** 40, 1536]);
    expect(() => bytes('1.0001k')).toThrow('expected a whole number of bytes');
    expect(() => bytes(-1)).toThrow(Expected);
    expect(() => bytes(0, 1)).toThrow('at least 1 byte');
  });

  it('percentages: 0..100, with or without %', () => {
    expect(bytesOrPercent('12.5%')).toEqual({ percent: 12.5 });
    expect(bytesOrPercent('1M')).toEqual({ bytes: 2 ** 20 });
    expect(percent(70)).toBe(70);
    expect(() => percent('101%')).toThrow(Expected);
    expect(() => bytesOrPercent('lots')).toThrow('or a percentage such as 50%');
  });

  it('durations need a unit, except 0', () => {
    expect([0, '100us', '1.5ms', '10s', '2m', '1h'].map(micros)).toEqual([0, 100, 1500, 10e6, 120e6, 3600e6]);
    expect(micros('0.1ms')).toBe(100);
    expect(() => micros(10)).toThrow(Expected);
    expect(() => micros('10 parsecs')).toThrow(Expected);
  });
});

describe('fio strings', () => {
  it('distribution names get a did-you-mean', () => {
    try {
      parseDistribution('zipff:1.2');
      expect.unreachable();
    } catch (e) {
      expect((e as Expected).hint).toBe('did you mean zipf?');
    }
  });

  it('rejects what fio rejects', () => {
    for (const bad of ['zipf:0', 'zipf:1', 'zipf', 'pareto:0', 'pareto:1', 'normal:0', 'normal:10:101', 'zoned:50/50', 'zoned:100/0', 'uniform:3']) {
      expect(() => parseDistribution(bad), bad).toThrow(Expected);
    }
  });

  it('block sizes: fixed, range, split; bad pieces name the accepted forms', () => {
    expect(parseBlockSize('8k')).toEqual({ kind: 'fixed', size: 8192 });
    expect(parseBlockSize(' 4k - 8k ')).toEqual({ kind: 'range', min: 4096, max: 8192 });
    expect(parseBlockSize('4k/1:8k/1')).toEqual({ kind: 'split', parts: [{ size: 4096, weight: 0.5 }, { size: 8192, weight: 0.5 }] });
    expect(() => parseBlockSize('0')).toThrow(Expected);
    expect(() => parseBlockSize('8k-4k')).toThrow('min ≤ max');
    expect(() => parseBlockSize('x/50')).toThrow('expected a block size (4k), a range');
    expect(() => parseBlockSize('4k/')).toThrow('expected weights greater than 0');
  });
});

describe('paths and suggestions', () => {
  it('both path spellings parse to the same segments and format one way', () => {
    expect(parsePath('phases[0].jobs[12].iodepth')).toEqual(['phases', 0, 'jobs', 12, 'iodepth']);
    expect(parsePath('phases.0.jobs.12.iodepth')).toEqual(['phases', 0, 'jobs', 12, 'iodepth']);
    expect(formatPath(['phases', 0, 'jobs', 12, 'iodepth'])).toBe('phases[0].jobs[12].iodepth');
    for (const bad of ['', 'a.', 'a..b', 'a[x]', '.a', 'a b']) expect(parsePath(bad), bad).toBeNull();
  });

  it('suggests within two edits, ignoring case and - versus _', () => {
    expect(editDistance('iodeph', 'iodepth')).toBe(1);
    expect(didYouMean('iodeph', ['bs', 'iodepth'])).toBe('iodepth');
    expect(didYouMean('Cluster-Size', ['cluster_size'])).toBe('cluster_size');
    expect(didYouMean('queue', ['iodepth', 'bs'])).toBeUndefined();
  });
});
