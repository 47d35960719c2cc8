/** `qed-bench run --repeat N`: samples per timing, medians and spread, the determinism warning. */
import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { combineRepeats, type RepeatedResults } from '../../src/replay/repeat.js';
import { cli, cliOk, useTempDir } from '../cli/helpers.js';
import { TINY_WORKLOAD, clone, realResults } from './fixtures.js';

const tmp = useTempDir();

async function workload(text = TINY_WORKLOAD): Promise<string> {
  const p = tmp.path('tiny.yaml');
  await writeFile(p, text);
  return p;
}

const readResults = async (p: string): Promise<RepeatedResults> => JSON.parse(await readFile(p, 'utf8'));

describe('run --repeat', () => {
  it('one results file with every timing sample; identical under the deterministic scheduler; medians in the summary', async () => {
    const out = tmp.path('r.json');
    const r = await cliOk(0, 'run', await workload(), '--repeat', '3', '-o', out, '-q', '--no-qemu-check');
    const res = await readResults(out);
    expect(res.repeats!.count).toBe(3);
    expect(Object.keys(res.repeats!.samples).sort()).toEqual(['read.iops', 'read.mbPerSec', 'read.p50', 'read.p99', 'write.iops', 'write.mbPerSec', 'write.p50', 'write.p99']);
    for (const xs of Object.values(res.repeats!.samples)) {
      expect(xs).toHaveLength(3);
      expect(new Set(xs).size).toBe(1); // virtual time repeats exactly
    }
    expect(res.repeats!.samples['read.iops'][0]).toBe(res.total.ops.read.iops);
    expect(r.stdout).toMatch(/repeats: 3 \(median of each timing; spread = \(max − min\) \/ median\)/);
    expect(r.stdout).toMatch(/read\.iops\s+\d+ IOPS\s+\d+ IOPS\s+\d+ IOPS\s+0\.0%/);
    expect(r.stderr).toBe('');
  });

  it('each matrix combination gets its own file with its own repeats', async () => {
    const text = `${TINY_WORKLOAD}matrix:\n  cache.size: [2, 6]\n`;
    await cliOk(0, 'run', await workload(text), '--repeat', '2', '-o', tmp.path('m.json'), '-q', '--no-qemu-check');
    const [a, b] = [await readResults(tmp.path('m-1.json')), await readResults(tmp.path('m-2.json'))];
    expect([a.workload.cache.size, b.workload.cache.size]).toEqual([2, 6]);
    expect(a.repeats!.count).toBe(2);
    expect(b.repeats!.count).toBe(2);
    expect(a.total.cache.loads).toBeGreaterThan(b.total.cache.loads);
  });

  it('warns on stderr when counters differ between deterministic repeats (here: replays on one existing image)', async () => {
    const image = tmp.path('shared.qed');
    await cliOk(0, 'create', image, '16M', '-c', '4k', '-t', '1');
    const text = TINY_WORKLOAD.replace('image: { size: 16M, cluster_size: 4k, table_size: 1 }', `image: { path: ${JSON.stringify(image)} }`);
    const r = await cli('run', await workload(text), '--repeat', '2', '-o', tmp.path('s.json'), '-q', '--no-qemu-check');
    expect(r.stderr).toMatch(/^qed-bench: warning: tiny: counters differ between repeats under the deterministic scheduler \(they should not\): hitRate \(repeat 2: [\d.]+, repeat 1: [\d.]+\); .*; and \d+ more\n$/);
  });

  it('from run --repeat to compare: a slower latency model fails the gate, the same one passes', async () => {
    const file = await workload();
    const args = ['--repeat', '2', '-q', '--no-qemu-check'];
    await cliOk(0, 'run', file, ...args, '-o', tmp.path('base.json'));
    await cliOk(0, 'run', file, ...args, '-o', tmp.path('same.json'));
    await cliOk(0, 'run', file, ...args, '-o', tmp.path('slow.json'), '--set', 'scheduler.latency.read=lognormal:150us:0.3');
    expect((await cli('compare', tmp.path('base.json'), tmp.path('same.json'))).code).toBe(0);
    const slow = await cli('compare', tmp.path('base.json'), tmp.path('slow.json'), '--format', 'text');
    expect(slow.code).toBe(1);
    expect(slow.stdout).toMatch(/read\.p50 .* \+50\.0%\s+FAIL\s+p < 1e-16/);
    expect(slow.stdout).toContain('the workload changed');
  });
});

describe('combineRepeats', () => {
  it('lists counters that differ and keeps the failed run as the body', async () => {
    const a = await realResults();
    const b = clone(a);
    b.total.cache.loads += 2;
    b.integrity.verdict = 'failed';
    const { results, differences } = combineRepeats([a, b]);
    expect(differences).toEqual([`cache.loads (repeat 2: ${a.total.cache.loads + 2}, repeat 1: ${a.total.cache.loads})`, 'integrity.verdict (repeat 2: "failed", repeat 1: "passed")']);
    expect(results.integrity.verdict).toBe('failed');
    expect(results.repeats.count).toBe(2);
  });
});
