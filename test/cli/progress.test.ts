/** Progress in a log (not a terminal) and results file names: what a CI log and a results dir show. */
import { describe, expect, it } from 'vitest';
import { amount, bytes, progressReporter, stageName } from '../../src/cli/progress.js';
import { resultsFileStem } from '../../src/util/file-name.js';
import { cli, useTempDir } from './helpers.js';
import { spawnCli } from './spawn-cli.js';

const tmp = useTempDir();

describe('progress in a log', () => {
  it('a line when each stage starts and ends, byte counts in binary units, no "check check 0/1"', () => {
    const lines: string[] = [];
    const p = progressReporter({ enabled: true, label: 'w', tty: false, write: (l) => lines.push(l) });
    p.update({ phase: 'fill', done: 0, total: 100, stage: 'replay' });
    p.update({ phase: 'fill', done: 100, total: 100, stage: 'replay' });
    p.update({ phase: 'read-back', done: 298 * 2 ** 20, total: 298 * 2 ** 20, stage: 'verify' });
    p.update({ phase: 'check', done: 0, total: null, stage: 'check' });
    p.stop();
    expect(lines[0]).toBe('w: replay fill: started (100 requests)\n');
    expect(lines[1]).toMatch(/^w: replay fill: done, 100\/100 requests \(100%\) in \d+\.\d s\n$/);
    expect(lines[2]).toBe('w: read-back: started (298 MiB)\n');
    expect(lines[3]).toMatch(/^w: read-back: done, 298 MiB \/ 298 MiB \(100%\) in /);
    expect(lines.join('')).not.toMatch(/check check|check 0\/1/);
    expect(lines[lines.length - 1]).toMatch(/^w: check: done in /);
  });

  it('disabled (--quiet, --json): nothing at all', () => {
    const lines: string[] = [];
    const p = progressReporter({ enabled: false, label: 'w', tty: false, write: (l) => lines.push(l) });
    p.update({ phase: 'fill', done: 0, total: 100, stage: 'replay' });
    p.stop();
    expect(lines).toEqual([]);
  });

  it('human units with three significant digits', () => {
    expect(bytes(512)).toBe('512 B');
    expect(bytes(1536)).toBe('1.50 KiB');
    expect(bytes(298 * 2 ** 20)).toBe('298 MiB');
    expect(stageName({ phase: 'p', done: 0, total: null, stage: 'replay' })).toBe('replay p');
    expect(amount({ phase: 'p', done: 7, total: null, stage: 'replay' })).toBe('7 requests');
  });

  it('run -q in a log prints no progress lines', async () => {
    const w = tmp.path('w.yaml');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(w, 'name: q\nimage: { size: 16M, cluster_size: 4k, table_size: 1 }\nphases: [{ jobs: [{ op: write, bs: 4k, stop: { ops: 10 } }] }]\n');
    const r = await cli('run', w, '-q', '--no-qemu-check', '-o', tmp.path('r.json'));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('the check stage names qemu-img check only when it runs', async () => {
    const w = tmp.path('w.yaml');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(w, 'name: q\nimage: { size: 16M, cluster_size: 4k, table_size: 1 }\nphases: [{ jobs: [{ op: write, bs: 4k, stop: { ops: 10 } }] }]\n');
    const stages = async (...args: string[]): Promise<string[]> => {
      const c = spawnCli(['run', w, ...args], { ...process.env, CI: 'true' });
      expect(await c.exited).toBe(0);
      return [...c.out.stderr.matchAll(/^q: (check[^:]*): started/gm)].map((m) => m[1]);
    };
    expect(await stages('--no-qemu-check', '-o', tmp.path('a.json'))).toEqual(['check']);
    expect(await stages('--metadata-only', '-o', tmp.path('b.json'))).toEqual(['check']);
    expect(await stages('-o', tmp.path('c.json'))).toEqual(['check (ours, then qemu-img check)']);
  }, 60_000);
});

describe('results file names', () => {
  it('no = or , : a matrix run reads as settings', () => {
    expect(resultsFileStem('example[cache.size=8,cache.policy=fifo]')).toBe('example.cache-size-8.fifo');
    expect(resultsFileStem('m[phases[0].jobs[0].iodepth=4,seed=2]')).toBe('m.phases-0-jobs-0-iodepth-4.seed-2');
    expect(resultsFileStem('plain name')).toBe('plain_name');
    for (const n of ['a[b=1,c=2]', 'x[cache.policy=s3-fifo]']) expect(resultsFileStem(n)).not.toMatch(/[=,[\]]/);
  });
});
