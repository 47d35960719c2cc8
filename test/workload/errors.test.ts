import { describe, expect, it } from 'vitest';
import { WorkloadError, parseWorkload } from '../../src/workload/load.js';

function error(text: string): WorkloadError {
  try {
    parseWorkload(text, 'w.yaml');
  } catch (e) {
    if (e instanceof WorkloadError) return e;
    throw e;
  }
  throw new Error('loaded');
}

const SEVEN_PROBLEMS = `image: { size: 1G, cluster_size: 3k }
cache: { size: 0 }
phases:
  - jobs:
      - iodepth: 0
        op: scribble
        bs: 4q
        flush_every: -1
        stop: { ops: 1.5 }
`;

describe('WorkloadError', () => {
  it('one problem is one line: file:line:col: path: expected, found', () => {
    const e = error('image: { size: 1G }\nphases:\n  - jobs:\n      - iodepth: eight\n        stop: { ops: 1 }\n');
    expect(e.message).toBe('w.yaml:4:18: phases[0].jobs[0].iodepth: expected a whole number from 1 to 4096, found "eight"');
    expect(e.problems).toEqual([{ path: 'phases[0].jobs[0].iodepth', line: 4, col: 18, message: 'expected a whole number from 1 to 4096, found "eight"', origin: undefined }]);
  });

  it('several problems: a count, then the first five in file order', () => {
    const e = error(SEVEN_PROBLEMS);
    const lines = e.message.split('\n');
    expect(lines[0]).toBe('w.yaml: 7 problems:');
    expect(lines.slice(1, 6).map((l) => l.trim().split(': ')[0])).toEqual(['w.yaml:1:34', 'w.yaml:2:16', 'w.yaml:5:18', 'w.yaml:6:13', 'w.yaml:7:13']);
    expect(lines[6]).toBe('  (and 2 more)');
    expect(e.problems).toHaveLength(7);
    expect(e.problems[3].message).toBe('expected one of read, write, zero, mixed, found "scribble"');
  });

  it('a YAML syntax error stops before validation', () => {
    const e = error('image: { size: 1G ]\n');
    expect(e.problems).toHaveLength(1);
    expect(e.message).toMatch(/^w\.yaml:1:\d+: YAML syntax error: /);
    expect(e.message).not.toContain('\n');
  });

  it('a top-level value that is not a mapping', () => {
    expect(error('- a\n- b\n').message).toBe('w.yaml:1:1: expected a mapping of workload settings (name, image, cache, phases), found a single value or list');
  });

  it('is an Error with a name, for the CLI', () => {
    const e = error('{}');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('WorkloadError');
    expect(e.source).toBe('w.yaml');
  });
});
