import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WorkloadError, loadWorkload } from '../../src/workload/load.js';

const BAD = join(import.meta.dirname, 'fixtures', 'bad');
const GOOD = join(import.meta.dirname, 'fixtures', 'good');

/** fixture → where the (first matching) problem is and a fragment of its message. */
const CASES: Array<[file: string, at: string, fragment: string]> = [
  ['syntax-error.yaml', '5:1', 'YAML syntax error: Flow sequence in block collection'],
  ['tab-indent.yaml', '2:1', 'YAML syntax error: Tabs are not allowed'],
  ['duplicate-key.yaml', '5:9', 'Map keys must be unique'],
  ['empty.yaml', '1:1', 'expected a mapping of workload settings (name, image, cache, phases), found an empty file'],
  ['unknown-top-key.yaml', '2:1', 'unknown key "phase"; did you mean phases?'],
  ['unknown-job-key.yaml', '4:9', 'phases[0].jobs[0]: unknown key "iodeph"; did you mean iodepth?'],
  ['key-in-wrong-place.yaml', '3:5', 'phases[0]: unknown key "iodepth"; iodepth belongs in phases[N].jobs[N]'],
  ['wrong-type.yaml', '4:18', 'phases[0].jobs[0].iodepth: expected a whole number from 1 to 4096, found "eight"'],
  ['negative-iodepth.yaml', '4:18', 'phases[0].jobs[0].iodepth: expected a whole number from 1 to 4096, found -1'],
  ['bad-bs-unit.yaml', '4:13', 'phases[0].jobs[0].bs: expected a block size (4k), a range (4k-64k) or a split (4k/50:64k/50), found "4q"'],
  ['split-zero-weight.yaml', '4:13', 'expected weights greater than 0'],
  ['range-not-aligned.yaml', '4:13', 'expected range ends that are multiples of align (4 KiB), found 6 KiB-10 KiB'],
  ['align-not-power-of-two.yaml', '4:16', 'align: expected a power of two such as 512 or 4k, found 3 KiB'],
  ['region-past-end.yaml', '4:38', 'region.span: expected the region to end inside the image (16 GiB), found offset 12 GiB + span 8 GiB = 20 GiB; use span: 4 GiB or less'],
  ['bs-larger-than-region.yaml', '4:13', 'bs: expected block sizes no larger than the region (64 KiB), found 1 MiB'],
  ['hotspot-outside-region.yaml', '6:39', 'hotspot.span: expected the hot area to end inside the region (512 MiB)'],
  ['size-not-sector-multiple.yaml', '2:9', 'image.size: expected a multiple of 512 bytes, found 1000 bytes; use 512 or 1024'],
  ['size-beyond-geometry.yaml', '2:9', 'image.size: expected at most 1 GiB for cluster_size 4 KiB and table_size 1, found 2 GiB; use table_size: 2 or more'],
  ['image-size-missing.yaml', '2:3', 'image.size: missing'],
  ['bad-cluster-size.yaml', '3:17', 'image.cluster_size: expected a power of two from 4k to 64M, found "3k"'],
  ['backing-missing.yaml', '3:20', 'image.backing.file: expected an existing file, found "no-such-base.raw"'],
  ['existing-image-missing.yaml', '2:9', 'image.path: expected an existing QED image, found "./no-such.qed"'],
  ['unknown-policy.yaml', '3:11', 'cache.policy: expected one of fifo, fifo-unsafe, lru, clock, 2q, arc, s3-fifo, sieve, lfu, lfu-aging, found "belady"'],
  ['misspelt-policy.yaml', '3:11', 'found "fifo_unsafe"; did you mean fifo-unsafe?'],
  ['zipf-one.yaml', '4:23', 'expected zipf:θ with θ > 0 and θ ≠ 1 (e.g. zipf:1.2), found "zipf:1"'],
  ['pareto-two.yaml', '4:23', 'expected pareto:h with 0 < h < 1 (e.g. pareto:0.2), found "pareto:2"'],
  ['zoned-not-100.yaml', '4:23', 'expected zone shares and spans each summing to 100 (shares sum to 90, spans to 100)'],
  ['distribution-not-random.yaml', '5:23', 'distribution applies only to pattern random (this job\'s pattern is sequential)'],
  ['rwmixread-not-mixed.yaml', '5:20', 'rwmixread applies only to op mixed'],
  ['percent-over-100.yaml', '5:20', 'rwmixread: expected a percentage from 0 to 100 (70 or "70%"), found 170'],
  ['stride-missing.yaml', '4:9', 'stride: missing; pattern strided needs a stride'],
  ['stop-missing.yaml', '4:9', 'phases[0].jobs[0].stop: missing; expected a mapping of ops, bytes and/or duration; add e.g. stop: { ops: 10000 }'],
  ['stop-empty.yaml', '4:15', 'stop: expected at least one of ops, bytes or duration, found an empty mapping'],
  ['duration-parsecs.yaml', '5:21', 'stop.duration: expected a duration such as 100us, 500ms, 10s or 2m, found "10 parsecs"'],
  ['think-time-no-unit.yaml', '4:21', 'think_time: expected a duration such as 100us, 500ms, 10s or 2m, found 5; add a unit'],
  ['duplicate-job-name.yaml', '6:15', 'job name "reader" is already used by phases[0].jobs[0]'],
  ['matrix-unknown-key.yaml', '6:3', 'matrix: unknown field "cache.sise"; did you mean cache.size?'],
  // The bad value is reported where it is written: in the matrix, not at cache.size.
  ['matrix-bad-value.yaml', '5:19', 'cache.size: expected a whole number from 1 to 1048576, found -1 (matrix run cache.size=-1)'],
];

async function failure(path: string, set?: string[]): Promise<WorkloadError> {
  const err = await loadWorkload(path, { set }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkloadError);
  return err as WorkloadError;
}

describe('malformed workloads', () => {
  it('every bad fixture has a case', () => {
    const files = readdirSync(BAD).filter((f) => f.endsWith('.yaml'));
    expect(files.sort()).toEqual(CASES.map(([f]) => f).sort());
  });

  it.each(CASES)('%s: %s %s', async (file, at, fragment) => {
    const path = join(BAD, file);
    const err = await failure(path);
    expect(err.message).toContain(`${path}:${at}: `);
    const line = err.message.split('\n').find((l) => l.includes(fragment));
    expect(line, err.message).toBeDefined();
    expect(line).toContain(`${path}:${at}: `);
  });
});

describe('--set problems name the override instead of a line', () => {
  const file = join(GOOD, 'minimal.yaml');
  it.each([
    ['cache.sise=3', 'unknown field "cache.sise"; did you mean cache.size?'],
    ['phases[0].jobs[0].iodeph=3', 'unknown field "phases[0].jobs[0].iodeph"; did you mean phases[0].jobs[0].iodepth?'],
    ['matrix.x=[1]', 'matrix entries cannot be set'],
    ['phases[3].name=x', 'phases[3] does not exist: phases has 1 entry'],
    ['image.size.x=1', 'unknown field "image.size.x"'],
    ['cache.size=abc', 'cache.size: expected a whole number from 1 to 1048576, found "abc"'],
    ['cache.size', 'expected key.path=value'],
  ])('--set %s', async (set, fragment) => {
    const err = await failure(file, [set]);
    expect(err.message).toContain(`${file} (--set ${set}): `);
    expect(err.message).toContain(fragment);
    expect(err.problems[0].line).toBeUndefined();
  });
});
