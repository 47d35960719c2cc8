/**
 * compare on real-timing runs (counters are samples, gated within a noise band), pairs of runs
 * across configurations (one run per side, or --pair) and N inputs side by side. Real results
 * of the tiny workload, marked wall-clock where the test is about real timing.
 */
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/metrics/results.js';
import { combineRepeats, type RepeatedResults } from '../../src/experiments/repeat.js';
import { cli, useTempDir } from '../cli/helpers.js';
import { clone, realResults, writeJson } from './fixtures.js';

const tmp = useTempDir();
let base: RunResults;
let halved: RunResults;

beforeAll(async () => {
  base = await realResults();
  halved = await realResults(['cache.size=1']);
});

function wallClock(r: RunResults): RepeatedResults {
  return { ...clone(r), timing: 'wall-clock' };
}

async function files(...rs: RepeatedResults[]): Promise<string[]> {
  return Promise.all(rs.map((r, i) => writeJson(tmp.path(`r${i}.json`), r)));
}

describe('wall-clock counters are samples', () => {
  it('a small change of every interleaving-dependent counter passes, with one line saying why', async () => {
    const cur = wallClock(base);
    cur.total.hitRate -= 0.002;
    cur.total.cache.loads += 1;
    cur.total.cache.evictions += 1;
    const r = await cli('compare', ...(await files(wallClock(base), cur)), '--format', 'text');
    expect(r.code).toBe(0);
    expect(r.stdout.match(/^note: wall-clock runs: counters .* gated as samples/m)).toHaveLength(1);
    expect(r.stdout).toMatch(/hitRate .* ok +sample: within the noise band/);
    // The Markdown headline describes the default gate as it applied: not "counters exact" above a noise-band note.
    const md = await cli('compare', ...(await files(wallClock(base), cur)));
    expect(md.stdout).toContain('gate defaults (counters exact, of wall-clock runs within a noise band, timings:');
    const exact = await cli('compare', ...(await files(base, base)));
    expect(exact.stdout).toContain('gate defaults (counters exact, timings:');
  });

  it('a halved cache still fails: hit rate and loads beyond the band; the configuration difference comes first', async () => {
    expect(halved.total.hitRate).toBeLessThan(base.total.hitRate - 0.05);
    const r = await cli('compare', ...(await files(wallClock(base), wallClock(halved))), '--format', 'text');
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    const head = lines.findIndex((l) => l.startsWith('FAIL  tiny (cache 3, fifo) → tiny (cache 1, fifo)'));
    expect(head).toBeGreaterThan(0);
    expect(lines[head + 1]).toBe('  configuration differs:');
    expect(lines[head + 2]).toBe('    cache.size: 3 → 1');
    expect(r.stdout).toMatch(/hitRate .* FAIL +sample: beyond the noise band/);
  });

  it('integrity counters stay exact under real timing: one lost sector fails', async () => {
    const cur = wallClock(base);
    cur.integrity.lostWrites = 1;
    const r = await cli('compare', ...(await files(wallClock(base), cur)), '--format', 'text');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/integrity\.lostWrites +0 +1 .* FAIL/);
  });

  it('deterministic counters stay exact: the same small change fails there', async () => {
    const cur = clone(base) as RepeatedResults;
    cur.total.cache.loads += 1;
    const r = await cli('compare', ...(await files(base, cur)), '--format', 'text');
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('gated as samples');
  });

  it('with repeats the band is measured: inside twice the spread passes, beyond it fails', async () => {
    const withRepeats = (loads: number[]): RepeatedResults => {
      const runs = loads.map((l) => {
        const r = wallClock(base);
        r.total.cache.loads = l;
        return r;
      });
      return combineRepeats(runs).results;
    };
    const b = withRepeats([1000, 1010, 1005]);
    expect(b.repeats!.counters?.['cache.loads']).toEqual([1000, 1010, 1005]);
    const ok = await cli('compare', ...(await files(b, withRepeats([1012, 1020, 1015]))), '--format', 'text');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/cache\.loads .* twice the spread of 3\+3 repeats/);
    const bad = await cli('compare', ...(await files(b, withRepeats([1060, 1065, 1070]))), '--format', 'text');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/cache\.loads .* FAIL +sample: beyond the noise band/);
  });

  it('with repeats, a mean count prints to one decimal and one note says the figures are means (± standard deviation)', async () => {
    const withLoads = (loads: number[]): RepeatedResults => combineRepeats(loads.map((l) => {
      const r = wallClock(base);
      r.total.cache.loads = l;
      return r;
    })).results;
    for (const format of ['text', 'md']) {
      const r = await cli('compare', ...(await files(withLoads([1000, 1010, 1006]), withLoads([1000, 1011, 1006]))), '--format', format);
      expect(r.code).toBe(0);
      const loads = r.stdout.split('\n').find((l) => /^\W*cache\.loads /.test(l))!;
      expect(loads).toMatch(/ 1005\.3 .* 1005\.7 /);
      expect(loads).not.toContain('1005.33');
      expect(r.stdout.match(/show the mean of their repeats: timings as mean ±standard deviation/g)).toHaveLength(1);
    }
    const single = await cli('compare', ...(await files(wallClock(base), wallClock(base))), '--format', 'text');
    expect(single.stdout).not.toContain('mean of their repeats');
  });

  it('--export gives a wall-clock run\'s counters as the mean of its repeats (what compare shows), not the first repeat\'s', async () => {
    const r = combineRepeats([1000, 1010, 1006].map((l) => {
      const x = wallClock(base);
      x.total.cache.loads = l;
      return x;
    })).results;
    const [file] = await files(r);
    const bmfFile = tmp.path('bmf.json');
    await cli('compare', file, file, '--export', 'bencher', '--export-out', bmfFile);
    const bench = JSON.parse(await readFile(bmfFile, 'utf8'))['tiny (cache 3, fifo)'];
    expect(bench['cache-loads'].value).toBeCloseTo(1005.333, 3);
    expect(bench['cache-loads']).toMatchObject({ lower_value: 1000, upper_value: 1010 });
    expect(bench['integrity-lost-writes']).toEqual({ value: 0 }); // exact, never a sample
    const ghFile = tmp.path('gh.json');
    await cli('compare', file, file, '--export', 'github-smaller', '--export-out', ghFile);
    const loads = JSON.parse(await readFile(ghFile, 'utf8')).find((e: { name: string }) => e.name.endsWith(' cache.loads'));
    expect(loads.extra).toContain('mean of 3 repeats');
  });
});

describe('pairs across configurations', () => {
  it('one run per side: cache 1 vs cache 3 is compared (improvements, exit 0), not "no counterpart"', async () => {
    const r = await cli('compare', ...(await files(halved, base)));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('### ✅ tiny (cache 1, fifo) → tiny (cache 3, fifo)');
    expect(r.stdout).toContain('**Configuration differs:** `cache.size: 1 → 3`');
    expect(r.stderr).toBe('');
  });

  it('--pair names the runs to compare in directories of several; a bad name is exit 2 listing the runs', async () => {
    const sweepLike = async (dir: string, rs: RunResults[]) => {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(tmp.path(dir));
      await Promise.all(rs.map((r, i) => writeJson(tmp.path(`${dir}/${i}.json`), r)));
      return tmp.path(dir);
    };
    const other = await realResults(['cache.policy=lru']);
    const a = await sweepLike('a', [base, other]);
    const b = await sweepLike('b', [halved]);
    const r = await cli('compare', a, b, '--pair', 'tiny/3/fifo=tiny', '--format', 'text');
    expect(r.code).toBe(2); // tiny/3/lru is left without counterpart
    expect(r.stdout).toContain('tiny (cache 3, fifo) → tiny (cache 1, fifo)');
    expect(r.stderr).toContain('baseline run tiny (cache 3, lru) has no counterpart');
    const bad = await cli('compare', a, b, '--pair', 'nope=tiny');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--pair: no run "nope" in');
    expect(bad.stderr).toContain('tiny/3/fifo, tiny/3/lru');
    const malformed = await cli('compare', a, b, '--pair', 'tiny');
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('expected BASELINE=CURRENT');
  });
});

describe('side by side', () => {
  it('three files: one table, a column per file, the configuration difference first, exit 0', async () => {
    const third = await realResults(['cache.size=8']);
    const paths = await files(halved, base, third);
    const r = await cli('compare', ...paths, '--format', 'text');
    expect(r.code).toBe(0);
    const head = r.stdout.split('\n').find((l) => l.startsWith('metric'))!;
    for (const p of paths) expect(head).toContain(p);
    expect(r.stdout).toContain(`cache.size: 1 → 3 (${paths[1]})`);
    expect(r.stdout).toContain(`cache.size: 1 → 8 (${paths[2]})`);
    const hit = r.stdout.split('\n').find((l) => l.startsWith('hitRate'))!;
    expect(hit.match(/\d+\.\d\d%/g)).toHaveLength(3);
  });

  it('a gate with three inputs is a usage error', async () => {
    const r = await cli('compare', ...(await files(base, base, base)), '--gate', 'x.yaml');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--gate applies to a comparison of two inputs');
  });
});
