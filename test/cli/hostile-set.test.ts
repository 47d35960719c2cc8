/**
 * --set that would be silently lost: the same field twice (or a mapping and a field inside it), and
 * fields stress and sweep set themselves per run. Each is refused naming both, exit 2, nothing written.
 */
import { readdir } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { cli, cliOk, expectRefused, useTempDir } from './helpers.js';

const tmp = useTempDir();
const W = 'workloads/seed-race-small.yaml';

describe('hostile --set', () => {
  it.each([
    ['run', ['cache.size=16', 'cache.size=32'], '--set cache.size=16 and --set cache.size=32 both set cache.size'],
    ['run', ['phases.0.jobs.0.iodepth=3', 'phases[0].jobs[0].iodepth=4'], 'both set phases[0].jobs[0].iodepth'],
    ['run', ['cache={size: 8}', 'cache.size=32'], 'overlap (cache holds cache.size)'],
    ['sweep', ['seed=1', 'seed=2'], '--set seed=1 and --set seed=2 both set seed'],
    ['stress', ['cache.size=2', 'cache.size=3'], 'both set cache.size'],
    ['mrc', ['seed=1', 'seed=2'], 'both set seed'],
    ['serve', ['cache.size=2', 'cache.size=3'], 'both set cache.size'],
  ])('%s: a field set twice (%j) is refused, naming both', async (cmd, sets, says) => {
    const r = await cli(cmd, W, '-o', tmp.path('r.json'), ...sets.flatMap((s) => ['--set', s]));
    expectRefused(r, [says, 'set each field once']);
    expect(await readdir(tmp.path(''))).toEqual([]);
  });

  it.each([
    ['stress', ['--set', 'seed=77'], '--set seed=77: stress sets seed itself', '--first-seed'],
    ['stress', ['--set', 'scheduler={seed: 5}'], 'stress sets scheduler.seed itself', '--first-seed'],
    ['stress', ['--set', 'cache.policy=lru'], 'stress sets cache.policy itself', '--policies'],
    ['sweep', ['--cache-size', '2,4', '--set', 'cache.size=16'], 'sweep sets cache.size itself', '--cache-size'],
    ['sweep', ['--policy', 'fifo', '--set', 'cache={policy: lru}'], 'sweep sets cache.policy itself', '--policy'],
    ['sweep', ['--set', 'scheduler.mode=real'], 'sweep sets scheduler.mode itself', 'unless --real'],
  ])('%s %j: a field the command sets per run is refused, not silently replaced', async (cmd, args, says, hint) => {
    const r = await cli(cmd, W, '-q', ...(cmd === 'sweep' ? ['-o', tmp.path('r.json')] : []), ...args);
    expectRefused(r, [says, hint, 'would be silently replaced']);
    expect(await readdir(tmp.path(''))).toEqual([]);
  });

  it('a mapping that leaves the owned field alone, and scheduler.mode=real with --real, are accepted', async () => {
    await cliOk(0, 'stress', W, '-q', '--seeds', '1', '--policies', 'fifo', '--set', 'cache={size: 3}');
    await cliOk(0, 'sweep', W, '-q', '--cache-size', '2', '--policy', 'fifo', '--real', '--set', 'scheduler.mode=real', '-o', tmp.path('s.json'));
  });

  it.each([
    ['cache.size=*x', 'cache.size: the value cannot be read: Unresolved alias', 'needs its anchor'],
    ['name=!foo x', 'name: unknown tag !foo', 'remove the tag'],
    ['seed=99999999999999999999', 'seed: expected a whole number', 'found "99999999999999999999"'],
  ])('--set %s: a located refusal (was an internal error, a silently dropped tag, a rounded number)', async (set, says, more) => {
    const r = await cli('run', W, '-q', '-o', tmp.path('r.json'), '--set', set);
    expectRefused(r, [`(--set ${set}): ${says}`, more]);
    expect(await readdir(tmp.path(''))).toEqual([]);
  });
});
