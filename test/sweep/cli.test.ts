/**
 * `qed-bench sweep` and `qed-bench merge` in-process: the file and table they write, the grid
 * from the workload's matrix, usage errors (exit 2, one paragraph), merge refusing files that
 * are not shards of one sweep (exit 2, naming the file).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { copyFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { SweepResults } from '../../src/metrics/sweep-results.js';
import { formatSweep } from '../../src/report/sweep-table.js';
import { cli, cliOk, STACK_LINE, useTempDir } from '../cli/helpers.js';

const FILE = 'test/sweep/fixtures/tiny.yaml';
const tmp = useTempDir();
const read = (path: string): SweepResults => JSON.parse(readFileSync(path, 'utf8')) as SweepResults;

describe('qed-bench sweep', () => {
  it('without --cache-size/--policy takes the grid from the matrix; --shard runs its slice into results/<name>-sweep-shard-i-of-n-<time>.json', async () => {
    const dir = tmp.path('results');
    const r = await cliOk(0, 'sweep', FILE, '--shard', '2/4', '--jobs', '1', '--results-dir', dir);
    const [name] = readdirSync(dir);
    expect(name).toMatch(/^sweep-tiny-sweep-shard-2-of-4-\d{8}T\d{6}Z\.json$/);
    const s = read(`${dir}/${name}`);
    expect(s.sweep).toMatchObject({ sizes: [2, 4, 8], policies: ['fifo', 'lru'], shards: [{ index: 2, count: 4 }], status: 'completed', jobs: 1 });
    // grid order 2/fifo 2/lru 4/fifo 4/lru 8/fifo 8/lru: shard 2 of 4 holds cells 1 and 5 (k mod 4 = 1)
    expect(s.runs.map((x) => `${x.size}/${x.policy}`)).toEqual(['2/lru', '8/lru']);
    expect(r.stdout).toBe(`${formatSweep(s)}\nresults: ${dir}/${name}\n`);
    expect(r.stdout).toContain('[shard 2/4]');
    expect(r.stderr).toBe('');
  });

  it('--json prints the file it writes; a known-unsafe policy losing data is listed but does not fail the sweep', async () => {
    const out = tmp.path('race.json');
    const r = await cliOk(0, 'sweep', 'workloads/seed-race-small.yaml', '--cache-size', '2', '--policy', 'fifo-unsafe,fifo', '--jobs', '1', '--full', '--json', '-o', out);
    expect(JSON.parse(r.stdout)).toEqual(read(out));
    const s = read(out);
    expect(s.runs.map((x) => [x.policy, x.results.integrity.verdict])).toEqual([
      ['fifo-unsafe', 'failed'],
      ['fifo', 'passed'],
    ]);
    expect(formatSweep(s)).toMatch(/\nsize 2 × fifo-unsafe: integrity FAILED \(known unsafe policy\): lost [1-9]\d*, /);
  });

  it('a shard with no cells (more shards than cells) writes an empty sweep file', async () => {
    const out = tmp.path('empty.json');
    const r = await cliOk(0, 'sweep', FILE, '--cache-size', '2', '--policy', 'lru', '--shard', '2/2', '--real', '-o', out);
    expect(read(out).sweep).toMatchObject({ workload: 'sweep-tiny', shards: [{ index: 2, count: 2 }], timing: 'real', status: 'completed' });
    expect(read(out).runs).toEqual([]);
    expect(r.stdout).toMatch(/\n2 +-\n\nintegrity: no runs in this file\n/);
  });

  it('--no-verify skips the integrity checks', async () => {
    const out = tmp.path('nv.json');
    const r = await cliOk(0, 'sweep', FILE, '--cache-size', '3', '--policy', 'arc', '--jobs', '1', '--full', '--no-verify', '-o', out);
    expect(read(out).runs[0].results.integrity.verdict).toBe('skipped');
    expect(r.stdout).toContain('integrity: not verified (--no-verify)');
  });

  it('defaults to a metadata-only store: recorded per run, integrity at the mapping level, counters those of --full', async () => {
    const meta = tmp.path('meta.json');
    const full = tmp.path('full.json');
    const r = await cliOk(0, 'sweep', FILE, '--cache-size', '3', '--policy', 'arc', '--jobs', '1', '-o', meta);
    await cliOk(0, 'sweep', FILE, '--cache-size', '3', '--policy', 'arc', '--jobs', '1', '--full', '-o', full);
    const [m, f] = [read(meta).runs[0].results, read(full).runs[0].results];
    expect([m.image.store, f.image.store]).toEqual(['metadata', 'memory']);
    expect([m.integrity.verdict, f.integrity.verdict]).toEqual(['passed', 'passed']);
    expect(m.integrity.readsVerified).toBeGreaterThan(0); // each read's mapping, as it resolves
    expect(m.integrity.staleReads).toBe(0);
    expect(f.integrity.readsVerified).toBeGreaterThan(0);
    expect(m.total).toEqual(f.total);
    expect(r.stdout).toContain('integrity: passed in its 1 run (metadata-only: at the mapping level)');
  });

  it.each([
    [['--shard', '3/2'], /--shard: "3\/2": the shard number must be between 1 and the shard count/],
    [['--shard', '0/2'], /--shard: "0\/2": the shard number must be between 1/],
    [['--shard', 'abc'], /--shard: "abc" is not a shard; write i\/n, e.g. --shard 2\/4/],
    [['--shard', '1/99999999999999999999'], /--shard: "1\/99999999999999999999": the shard count is too large: at most 2\^53/],
    [['--policy', 'lru,lru2'], /--policy: unknown policy "lru2"; known policies: .*sieve/],
    [['--cache-size', '4,0'], /--cache-size <list>' argument '4,0' is invalid\. "0" is not a cache size; sizes are whole numbers of L2 tables, at least 1/],
    [['--cache-size', '4,x,1.5'], /--cache-size <list>' argument '4,x,1\.5' is invalid\. "x", "1\.5" are not cache sizes/],
    [['--sample-rate', '2'], /--sample-rate <r>' argument '2' is invalid\. "2" is not a sampling rate/],
    [['--set', 'matrix.seed=[1,2]'], /matrix/],
  ])('usage error %j: exit 2, one paragraph, no file written', async (args, message) => {
    const r = await cli('sweep', FILE, '--jobs', '1', '--results-dir', tmp.path('none'), ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain(STACK_LINE);
    expect(r.stdout).toBe('');
  });

  it('a matrix over other fields: names the matrix and how to fix it with --set', async () => {
    const file = tmp.path('extra.yaml');
    await writeFile(file, readFileSync(FILE, 'utf8').replace('cache.policy: [fifo, lru]', 'cache.policy: [fifo, lru]\n  seed: [1, 2]'));
    const r = await cli('sweep', file, '--jobs', '1', '-o', tmp.path('x.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`qed-bench: ${file}: matrix: gives 2 runs per cache size and policy; a sweep runs one: fix the other matrix fields with --set (e.g. --set phases[0].jobs[0].iodepth=8)\n`);
  });
});

describe('qed-bench merge', () => {
  /** Shards i/2 of a 2-cell sweep (one run each), with extra --set arguments. */
  async function shard(index: number, ...extra: string[]): Promise<string> {
    const out = tmp.path(`shard-${index}${extra.length ? '-x' : ''}.json`);
    await cliOk(0, 'sweep', FILE, '--cache-size', '2', '--policy', 'fifo,lru', '--shard', `${index}/2`, '--jobs', '1', '-q', '-o', out, ...extra);
    return out;
  }

  it('joins shards into one sweep file in grid order, listing every shard, and prints its table', async () => {
    const [a, b] = [await shard(2), await shard(1)];
    const out = tmp.path('merged/all.json');
    const r = await cliOk(0, 'merge', a, b, '-o', out);
    const m = read(out);
    expect(m.runs.map((x) => `${x.size}/${x.policy}`)).toEqual(['2/fifo', '2/lru']);
    expect(m.runs[0].results).toEqual(read(b).runs[0].results);
    expect(m.sweep.shards).toEqual([{ index: 1, count: 2 }, { index: 2, count: 2 }]);
    expect(m.sweep.status).toBe('completed');
    expect(r.stdout).toBe(`${formatSweep(m)}\nresults: ${out}\n`);

    // missing cells: an error naming the absent shard, unless --allow-missing
    const missing = await cli('merge', a, '-o', tmp.path('part.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('qed-bench: merge: 1 of 2 cells are in none of the files (shard 1/2 not given): 2 × fifo; add the missing shard files, or pass --allow-missing to merge what is there\n');
    await cliOk(0, 'merge', a, '--allow-missing', '-o', tmp.path('part.json'));
    expect(read(tmp.path('part.json')).runs).toHaveLength(1);

    // a cell in two files
    const copy = tmp.path('copy.json');
    await copyFile(a, copy);
    const dup = await cli('merge', b, a, copy, '-o', tmp.path('dup.json'));
    expect(dup.code).toBe(2);
    expect(dup.stderr).toBe(`qed-bench: ${copy}: the cell cache.size=2, cache.policy=lru is also in ${a}; each cell must come from one shard (were two files written by the same shard?)\n`);

    // a shard of another workload (another seed)
    const other = await shard(1, '--set', 'seed=8');
    const diff = await cli('merge', a, other, '-o', tmp.path('diff.json'));
    expect(diff.code).toBe(2);
    expect(diff.stderr).toMatch(new RegExp(`^qed-bench: ${other}: its runs replay a different workload than those of ${a} `));
  });

  it('refuses a file that is not a sweep@1 file, naming it', async () => {
    const results = tmp.path('run.json');
    await writeFile(results, JSON.stringify({ schema: 'qed-bench/results@1' }));
    const junk = tmp.path('junk.json');
    await writeFile(junk, 'not json');
    for (const [file, why] of [
      [results, 'its schema is "qed-bench/results@1"'],
      [junk, null],
      [tmp.path('absent.json'), null],
    ] as const) {
      const r = await cli('merge', file, '-o', tmp.path('m.json'));
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(file === junk ? `qed-bench: ${file}:1:2: not valid JSON` : `qed-bench: ${file}: `);
      if (why) expect(r.stderr).toContain(`not a sweep results file (${why}`);
      expect(r.stderr).not.toContain(STACK_LINE);
    }
  });

  it('reads a shard saved with a UTF-8 byte order mark, as report does', async () => {
    const a = await shard(1);
    const bom = tmp.path('bom.json');
    await writeFile(bom, `\ufeff${readFileSync(a, 'utf8')}`);
    await cliOk(0, 'merge', bom, '--allow-missing', '-o', tmp.path('m.json'));
    expect(read(tmp.path('m.json')).runs).toEqual(read(a).runs);
  });

  it('a run with a missing field: names the field by its path, as `report` does', async () => {
    const bad = read(await shard(1));
    delete (bad.runs[0].results.total as { hitRate?: unknown }).hitRate;
    const file = tmp.path('bad-run.json');
    await writeFile(file, JSON.stringify(bad));
    const r = await cli('merge', file, '-o', tmp.path('m.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^qed-bench: ${file}: runs\\[0\\]\\.results\\.total\\.hitRate: expected number, missing;`));
    expect(r.stderr).not.toContain(STACK_LINE);
  });

  it('needs -o', async () => {
    const r = await cli('merge', 'a.json');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/required option '-o, --out <file>'/);
  });
});
