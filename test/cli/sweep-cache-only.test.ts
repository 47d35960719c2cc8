// sweep of a table stream (.tables, oracleGeneral, or a block trace with --cache-only) without the engine.
import { readFile, writeFile } from 'node:fs/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cli, cliOk, useTempDir } from './helpers.js';

const tmp = useTempDir();

describe('cache-only sweep', () => {
  it('LRU hit rates equal the exact LRU curve of the same .tables stream (two paths agree)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 400 }), async (ids) => {
        const f = tmp.path('s.tables');
        await writeFile(f, `${ids.map((i) => i * 2 ** 31).join('\n')}\n`);
        const out = tmp.path('s.json');
        await cliOk(0, 'sweep', f, '--cache-size', '1,3,8', '--policy', 'lru,fifo', '-o', out, '-q');
        const s = JSON.parse(await readFile(out, 'utf8'));
        const curve = JSON.parse((await cliOk(0, 'mrc', f, '--sizes', '1,3,8', '--json')).stdout).mrc;
        for (const size of [1, 3, 8]) {
          const run = s.runs.find((r: { size: number; policy: string }) => r.size === size && r.policy === 'lru');
          expect(run.results.total.cache.lookups).toBe(ids.length);
          expect(1 - run.results.total.hitRate).toBeCloseTo(curve.missRatio[curve.sizes.indexOf(size)], 12);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('oracleGeneral and --cache-only traces give a sweep file that report and compare read', async () => {
    const out = tmp.path('o.json');
    const r = await cliOk(0, 'sweep', 'workloads/traces/w01.oracleGeneral', '--cache-size', '4,64', '--policy', 'fifo,s3-fifo', '-o', out, '-q');
    expect(r.stdout).toMatch(/w01\.oracleGeneral \(cache only\)/);
    const s = JSON.parse(await readFile(out, 'utf8'));
    expect(s.runs[0].results.traces[0]).toMatchObject({ format: 'oracle-general', requests: 3000 });
    expect(s.runs.every((x: { results: { total: { requests: number } } }) => x.results.total.requests === 3000)).toBe(true);
    const msr = tmp.path('m.json');
    await cliOk(0, 'sweep', 'workloads/traces/msr-hm.csv.gz', '--cache-only', '--cache-size', '2,4', '--policy', 'lru', '-o', msr, '-q');
    expect((await cli('compare', msr, msr)).code).toBe(0);
    expect((await cli('report', msr, '--format', 'md')).code).toBe(0);
  });

  it('says what it ran (no engine, no scheduler, nothing verified: not "--no-verify") and names its file plainly', async () => {
    const dir = tmp.path('results');
    const r = await cliOk(0, 'sweep', 'workloads/traces/msr-hm.csv.gz', '--cache-only', '--cache-size', '2', '--policy', 'lru', '--results-dir', dir, '-q');
    const head = r.stdout.split('\n')[0];
    expect(head).toContain('no engine: every table id one lookup');
    expect(head).not.toContain('scheduler');
    expect(r.stdout).toContain('integrity: not checked (cache only: no image, no data)');
    expect(r.stdout).not.toContain('--no-verify');
    expect(r.stdout).toMatch(/results: .*\/msr-hm\.csv\.gz\.cache-only-sweep-\d{8}T\d{6}Z\.json\n/);
  });
});
