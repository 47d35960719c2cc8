/** `qed-bench run --repeat N`: samples per timing, medians and spread, the determinism warning. */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { combineRepeats, countersDifferWarning, type RepeatedResults } from '../../src/experiments/repeat.js';
import { cli, cliOk, useTempDir } from '../cli/helpers.js';
import { resultsDocTables } from '../replay/results-doc.js';
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
    // The results-doc test skips "only with ..." rows: check the documented keys here.
    const documented = resultsDocTables()[0].find((row) => row.names.includes('repeats'));
    expect(documented?.keyLists[0]).toEqual(['count', 'samples', 'counters']);
    expect(Object.keys(res.repeats!).sort()).toEqual([...documented!.keyLists[0]].sort());
    expect(res.repeats!.count).toBe(3);
    expect(Object.keys(res.repeats!.samples).sort()).toEqual(['read.iops', 'read.mbPerSec', 'read.p50', 'read.p99', 'write.iops', 'write.mbPerSec', 'write.p50', 'write.p99']);
    for (const xs of Object.values(res.repeats!.samples)) {
      expect(xs).toHaveLength(3);
      expect(new Set(xs).size).toBe(1); // virtual time repeats exactly
    }
    expect(res.repeats!.samples['read.iops'][0]).toBe(res.total.ops.read.iops);
    // The summary above shows one repeat: the line says so, and the table gives counters' medians too.
    expect(r.stdout).toContain('repeats: 3; the tables above show one of them (the first, or the first whose integrity failed); below, the median of each timing and counter over all 3');
    expect(r.stdout).toMatch(new RegExp(`hitRate\\s+${(res.total.hitRate * 100).toFixed(2)}%\\s+\\S+\\s+\\S+\\s+0\\.0%`));
    expect(r.stdout).toMatch(/cache\.loads\s+\d+\s+\d+\s+\d+\s+0\.0%/);
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

  it('refuses --repeat > 1 on an existing image (image.path): exit 2 naming the field and why', async () => {
    const image = tmp.path('shared.qed');
    await cliOk(0, 'create', image, '16M', '-c', '4k', '-t', '1');
    const text = TINY_WORKLOAD.replace('image: { size: 16M, cluster_size: 4k, table_size: 1 }', `image: { path: ${JSON.stringify(image)} }`);
    const file = await workload(text);
    const r = await cli('run', file, '--repeat', '2', '-o', tmp.path('s.json'), '-q', '--no-qemu-check');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`qed-bench: ${file}: image.path (${image}) cannot be used with --repeat > 1: every repeat would replay on the same image, the first allocating and the later ones overwriting, so their timing samples would not be comparable; remove image.path (each repeat then gets a fresh image) or run without --repeat\n`);
    expect(existsSync(tmp.path('s.json'))).toBe(false);
    // One replay on an existing image is still fine.
    await cliOk(0, 'run', file, '--repeat', '1', '-o', tmp.path('one.json'), '-q', '--no-qemu-check');
  });

  it('--keep-image keeps only the reported repeat\'s image: the other repeats\' images and temp dirs are deleted', async () => {
    const scratch = tmp.path('tmp');
    await mkdir(scratch);
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = scratch; // the runner's mkdtemp(tmpdir()) lands here, so we can count what is left
    try {
      const r = await cliOk(0, 'run', await workload(), '--repeat', '3', '--keep-image', '-o', tmp.path('k.json'), '-q', '--no-qemu-check');
      const res = await readResults(tmp.path('k.json'));
      const left = await readdir(scratch);
      expect(left).toHaveLength(1);
      expect(res.image.kept).toBe(true);
      expect(res.image.path).toBe(join(scratch, left[0], 'tiny.qed'));
      expect(await readdir(join(scratch, left[0]))).toEqual(['tiny.qed']);
      expect(r.stdout).toContain(`image kept: ${res.image.path}`);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
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

  it('warns about differing deterministic counters: the first five, then how many more', async () => {
    const a = await realResults();
    const b = clone(a);
    b.total.hitRate += 0.1;
    for (const k of Object.keys(b.total.cache) as (keyof typeof b.total.cache)[]) if (typeof b.total.cache[k] === 'number') (b.total.cache[k] as number) += 1;
    const { differences } = combineRepeats([a, b]);
    expect(differences.length).toBeGreaterThan(6);
    const line = countersDifferWarning('tiny', differences);
    expect(line).toMatch(/^qed-bench: warning: tiny: counters differ between repeats under the deterministic scheduler \(they should not\): hitRate \(repeat 2: [\d.]+, repeat 1: [\d.]+\); .*; and \d+ more\n$/);
    expect(line.split('; ')).toHaveLength(6);
    expect(countersDifferWarning('tiny', differences.slice(0, 2))).toBe(`qed-bench: warning: tiny: counters differ between repeats under the deterministic scheduler (they should not): ${differences[0]}; ${differences[1]}\n`);
  });
});
