import { describe, expect, it } from 'vitest';
import { parseWorkload } from '../../src/workload/load.js';
import type { JobSpec, Workload } from '../../src/workload/types.js';

const G = 1024 ** 3;
const M = 1024 ** 2;

function one(text: string, source = 'dir/example.yaml'): Workload {
  const runs = parseWorkload(text, source, { env: { exists: () => true } });
  expect(runs).toHaveLength(1);
  return runs[0];
}

/** One job with `fields` (YAML lines), stopping after one request unless `fields` says otherwise. */
function job(fields: string, size = '16G'): JobSpec {
  const all = fields.includes('stop:') ? fields : `stop: { ops: 1 }\n${fields}`;
  return one(`image: { size: ${size} }\nphases:\n  - jobs:\n      - ${all.replace(/\n/g, '\n        ')}\n`).phases[0].jobs[0];
}

describe('defaults', () => {
  it('fill in everything a minimal workload leaves out', () => {
    const w = one('image: { size: 1G }\nphases:\n  - jobs: [ { stop: { ops: 10 } } ]\n');
    expect(w).toEqual({
      name: 'example',
      description: '',
      source: 'dir/example.yaml',
      seed: 1,
      image: { path: null, size: G, clusterSize: 65536, tableSize: 4, backing: null, keep: false },
      cache: { size: 50, policy: 'fifo' },
      engine: { allocation: 'serial' },
      scheduler: {
        mode: 'real',
        seed: 1,
        reorder: 4,
        latency: { read: { kind: 'constant', us: 100 }, write: { kind: 'constant', us: 200 }, flush: { kind: 'constant', us: 1000 } },
        faults: [],
        powerCut: null,
      },
      phases: [
        {
          name: 'phase-1',
          jobs: [
            {
              name: 'job-1',
              pattern: { kind: 'random', distribution: { kind: 'uniform' } },
              op: { kind: 'read' },
              bs: { kind: 'fixed', size: 4096 },
              align: 4096,
              region: { offset: 0, span: G },
              iodepth: 1,
              stop: { ops: 10 },
              flushEvery: 0,
              thinkTimeUs: 0,
            },
          ],
        },
      ],
    });
  });

  it('mixed reads half the time unless rwmixread says otherwise', () => {
    expect(job('op: mixed').op).toEqual({ kind: 'mixed', readShare: 0.5 });
    expect(job('op: mixed\nrwmixread: 70%').op).toEqual({ kind: 'mixed', readShare: 0.7 });
  });

  it('align defaults to the largest power of two ≤ min(4k, smallest bs)', () => {
    expect(job('bs: 512').align).toBe(512);
    expect(job('bs: 1000').align).toBe(512);
    expect(job('bs: 64k').align).toBe(4096);
    expect(job('bs: 2k/50:64k/50').align).toBe(2048);
    // A range also needs both ends to be multiples of align.
    expect(job('bs: 6k-10k').align).toBe(2048);
  });
});

describe('sizes in bytes', () => {
  it('image and block sizes accept k, K, KiB, M, G and plain numbers', () => {
    const w = one('image: { size: 2G, cluster_size: 4KiB, table_size: 16 }\nphases:\n  - jobs: [ { bs: 65536, stop: { bytes: 1M } } ]\n');
    expect(w.image).toMatchObject({ size: 2 * G, clusterSize: 4096, tableSize: 16 });
    expect(w.phases[0].jobs[0].bs).toEqual({ kind: 'fixed', size: 65536 });
    expect(w.phases[0].jobs[0].stop).toEqual({ bytes: M });
  });

  it('block size ranges and splits (fio string or list), weights as fractions', () => {
    expect(job('bs: 4k-64k').bs).toEqual({ kind: 'range', min: 4096, max: 65536 });
    const split = { kind: 'split', parts: [{ size: 4096, weight: 0.25 }, { size: 65536, weight: 0.75 }] };
    expect(job('bs: 4k/25:64k/75').bs).toEqual(split);
    expect(job('bs: [{ bs: 4k, weight: 1 }, { bs: 64K, weight: 3 }]').bs).toEqual(split);
  });

  it('region percentages are of the image; offsets round down to align', () => {
    expect(job('region: { offset: 25%, span: 50% }').region).toEqual({ offset: 4 * G, span: 8 * G });
    // 10% of 1 GiB is 107374182.4 bytes: the offset drops to a 4k boundary, the span to a byte.
    expect(job('region: { offset: 10%, span: 10% }', '1G').region).toEqual({ offset: 107372544, span: 107374182 });
    expect(job('region: { offset: 1G }').region).toEqual({ offset: G, span: 15 * G });
  });

  it('hotspot offset and span are relative to the region; hotOffset is absolute', () => {
    const j = job('pattern: hotspot\nregion: { offset: 1G, span: 8G }\nhotspot: { offset: 50%, span: 1G, share: 90% }');
    expect(j.pattern).toEqual({ kind: 'hotspot', hotOffset: 5 * G, hotSpan: G, share: 0.9 });
  });

  it('durations: stop in milliseconds, think time in microseconds', () => {
    expect(job('stop: { ops: 5, duration: 2m }').stop).toEqual({ ops: 5, durationMs: 120_000 });
    expect(job('stop: { duration: 250us }').stop.durationMs).toBe(0.25);
    expect(job('think_time: 1.5ms').thinkTimeUs).toBe(1500);
    expect(job('think_time: 100us').thinkTimeUs).toBe(100);
  });
});

describe('patterns and distributions', () => {
  it('parses every fio distribution into fractions', () => {
    const dist = (s: string) => (job(`distribution: "${s}"`).pattern as { distribution: unknown }).distribution;
    expect(dist('zipf:1.2')).toEqual({ kind: 'zipf', theta: 1.2 });
    expect(dist('pareto:0.2')).toEqual({ kind: 'pareto', h: 0.2 });
    expect(dist('normal:10')).toEqual({ kind: 'normal', sigma: 0.1, center: 0.5 });
    expect(dist('normal:10%:25%')).toEqual({ kind: 'normal', sigma: 0.1, center: 0.25 });
    expect(dist('zoned:60/10:30/20:10/70')).toEqual({
      kind: 'zoned',
      zones: [
        { share: 0.6, span: 0.1 },
        { share: 0.3, span: 0.2 },
        { share: 0.1, span: 0.7 },
      ],
    });
  });

  it('strided keeps its stride; sequential has no parameters', () => {
    expect(job('pattern: strided\nstride: 1M').pattern).toEqual({ kind: 'strided', stride: M });
    expect(job('pattern: sequential').pattern).toEqual({ kind: 'sequential' });
  });
});

describe('files', () => {
  it('backing files resolve beside the workload file', () => {
    const w = one('image: { size: 1G, backing: { file: base.raw, format: qed } }\nphases:\n  - jobs: [ { stop: { ops: 1 } } ]\n', '/abs/dir/w.yaml');
    expect(w.image.backing).toEqual({ file: '/abs/dir/base.raw', format: 'qed' });
  });

  it('names: explicit ones are kept, the file name is the default', () => {
    expect(one('name: custom\nimage: { size: 1G }\nphases: [ { jobs: [ { stop: { ops: 1 } } ] } ]\n').name).toBe('custom');
    expect(one('image: { size: 1G }\nphases: [ { jobs: [ { stop: { ops: 1 } } ] } ]\n', 'a/b.yml').name).toBe('b');
  });
});

describe('edge checks the generator relies on', () => {
  const fails = (fields: string, size = '16G') => () => job(fields, size);

  it('a region must hold one whole align unit', () => {
    expect(fails('bs: 512\nalign: 4k\nregion: { span: 1000 }')).toThrow('region.span: expected a region at least as large as align (4 KiB), found 1000 B; lower align');
  });

  it('the hot area must start where an aligned request can', () => {
    expect(fails('pattern: hotspot\nbs: 512\nalign: 4k\nregion: { span: 5000 }\nhotspot: { offset: 4k, span: 512, share: 50 }')).toThrow(
      "hotspot.offset: expected an offset below 4 KiB (the region's whole 4 KiB units), found 4 KiB",
    );
  });

  it('a stride is a multiple of align and fits the region', () => {
    expect(fails('pattern: strided\nstride: 6k')).toThrow('stride: expected a multiple of align (4 KiB), found 6 KiB');
    expect(fails('pattern: strided\nstride: 2G', '1G')).toThrow('stride: expected a stride no larger than the region (1 GiB), found 2 GiB');
  });

  it('phase names are unique too', () => {
    const text = 'image: { size: 1G }\nphases:\n  - { name: a, jobs: [ { stop: { ops: 1 } } ] }\n  - { name: a, jobs: [ { stop: { ops: 1 } } ] }\n';
    expect(() => one(text)).toThrow('dir/example.yaml:4:13: phases[1].name: phase name "a" is already used by phases[0]');
  });
});

describe('YAML conveniences', () => {
  it('top-level x- keys hold anchors; merge keys share job settings', () => {
    const w = one(`image: { size: 1G }
x-reader: &reader
  bs: 64k
  iodepth: 16
  stop: { ops: 5 }
phases:
  - jobs:
      - { <<: *reader, name: a }
      - { <<: *reader, name: b, iodepth: 2 }
`);
    expect(w.phases[0].jobs.map((j) => [j.name, j.bs, j.iodepth, j.stop])).toEqual([
      ['a', { kind: 'fixed', size: 65536 }, 16, { ops: 5 }],
      ['b', { kind: 'fixed', size: 65536 }, 2, { ops: 5 }],
    ]);
  });

  it('x- keys are allowed at the top level only', () => {
    expect(() => one('image: { size: 1G, x-note: 1 }\nphases: [ { jobs: [ { stop: { ops: 1 } } ] } ]\n')).toThrow('image: unknown key "x-note"');
  });
});
