import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RunResults } from '../../src/metrics/results.js';
import { STACK_LINE, cli, cliOk, useTempDir } from '../cli/helpers.js';

const TINY = `name: tiny
seed: 3
image: { size: 64M, cluster_size: 4k, table_size: 2 }
cache: { size: 4 }
phases:
  - name: mix
    jobs:
      - { name: rw, pattern: random, op: mixed, rwmixread: 50, bs: 4k, iodepth: 4, region: { span: 8M }, stop: { ops: 300 } }
`;
const ANSI = '\x1b[';

describe('qed-bench run', () => {
  const tmp = useTempDir();
  const workload = async (text = TINY, name = 'tiny.yaml'): Promise<string> => {
    await writeFile(tmp.path(name), text);
    return tmp.path(name);
  };
  const readResults = (path: string): RunResults => JSON.parse(readFileSync(path, 'utf8')) as RunResults;

  it('writes a completed results file to --out, prints the summary and exits 0', async () => {
    const out = tmp.path('r.json');
    const r = await cliOk(0, 'run', await workload(), '--out', out, '--no-qemu-check');
    const res = readResults(out);
    expect(res).toMatchObject({ schema: 'qed-bench/results@1', status: 'completed', integrity: { verdict: 'passed', qemuCheck: null } });
    expect(res.workload.name).toBe('tiny');
    expect(res.total.requests).toBe(300);
    expect(res.image).toMatchObject({ created: true, kept: false });
    expect(existsSync(res.image.path)).toBe(false);
    expect(r.stdout).toContain('tiny: cache 4 tables, policy fifo, seed 3');
    expect(r.stdout).toContain('integrity: PASSED');
    expect(r.stdout).toContain(`results: ${out}\n`);
    expect(r.stdout).not.toContain(ANSI);
    expect(r.stderr).toBe('');
  });

  it('--json prints the results JSON (the same as the file) and nothing else', async () => {
    const out = tmp.path('r.json');
    const r = await cliOk(0, 'run', await workload(), '--json', '-o', out, '--no-qemu-check');
    const printed = JSON.parse(r.stdout) as RunResults;
    expect(printed.status).toBe('completed');
    expect(printed).toEqual(readResults(out));
    expect(r.stdout).not.toContain(ANSI);
    expect(r.stdout).not.toContain('integrity: PASSED'); // no summary table
    expect(r.stderr).toBe('');
  });

  describe('on a terminal', () => {
    const saved = { isTTY: process.stderr.isTTY, CI: process.env.CI };
    let writes: string[] = [];
    beforeEach(() => {
      // Pretend stderr is an interactive terminal outside CI, where the progress bar would draw.
      process.stderr.isTTY = true;
      delete process.env.CI;
      writes = [];
      vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
        writes.push(String(chunk));
        return true;
      });
    });
    afterEach(() => {
      vi.restoreAllMocks();
      process.stderr.isTTY = saved.isTTY;
      if (saved.CI === undefined) delete process.env.CI;
      else process.env.CI = saved.CI;
    });

    it('draws a progress bar on stderr without --json ...', async () => {
      await cliOk(0, 'run', await workload(), '-o', tmp.path('r.json'), '--no-qemu-check');
      expect(writes.join('')).toContain('tiny');
    });

    it('... and none with --json (or -q): stdout is pure JSON', async () => {
      const r = await cliOk(0, 'run', await workload(), '--json', '-o', tmp.path('r.json'), '--no-qemu-check');
      expect(writes).toEqual([]);
      expect(() => JSON.parse(r.stdout)).not.toThrow();
      await cliOk(0, 'run', await workload(), '-q', '-o', tmp.path('q.json'), '--no-qemu-check');
      expect(writes).toEqual([]);
    });
  });

  it('--no-verify skips the shadow model: integrity skipped, nothing verified', async () => {
    const out = tmp.path('r.json');
    const r = await cliOk(0, 'run', await workload(), '--no-verify', '-o', out, '--no-qemu-check');
    const res = readResults(out);
    expect(res.integrity).toMatchObject({ verdict: 'skipped', readsVerified: 0, sectorsVerified: 0, writesTracked: 0 });
    expect(res.integrity.check).toMatchObject({ corruptions: 0 }); // the structural check still runs
    expect(r.stdout).toContain('integrity: SKIPPED');
  });

  it('--keep-image keeps the created image and says where it is', async () => {
    const out = tmp.path('r.json');
    const r = await cliOk(0, 'run', await workload(), '--keep-image', '-o', out, '--no-qemu-check');
    const res = readResults(out);
    expect(res.image.kept).toBe(true);
    expect(existsSync(res.image.path)).toBe(true);
    expect(r.stdout).toContain(`image kept: ${res.image.path}`);
    await rm(dirname(res.image.path), { recursive: true, force: true });
  });

  it('a matrix writes one numbered results file per combination', async () => {
    const out = tmp.path('m.json');
    await cliOk(0, 'run', await workload(`${TINY}matrix:\n  cache.size: [2, 8]\n`), '-o', out, '--no-qemu-check', '--no-verify');
    const sizes = ['m-1.json', 'm-2.json'].map((f) => readResults(tmp.path(f)).workload.cache.size);
    expect(sizes).toEqual([2, 8]);
    expect(existsSync(out)).toBe(false);
  });

  it('--set overrides reach the run', async () => {
    const out = tmp.path('r.json');
    await cliOk(0, 'run', await workload(), '--set', 'cache.size=7', '--set', 'phases[0].jobs[0].stop.ops=40', '-o', out, '--no-qemu-check');
    const res = readResults(out);
    expect(res.workload.cache.size).toBe(7);
    expect(res.total.cache.capacity).toBe(7);
    expect(res.total.requests).toBe(40);
  });

  const MALFORMED: Array<[string, string, RegExp]> = [
    ['an unknown key', TINY.replace('cache: { size: 4 }', 'cache: { size: 4, polcy: fifo }'), /bad\.yaml:4:19: cache: unknown key "polcy"; did you mean policy\?/],
    ['a bad size', TINY.replace('size: 64M', 'size: 64Q'), /bad\.yaml:3:\d+: image\.size: /],
    ['a YAML syntax error', TINY.replace('cache: { size: 4 }', 'cache: { size: 4'), /bad\.yaml:\d+:\d+: YAML syntax error/],
    ['an iodepth of zero', TINY.replace('iodepth: 4', 'iodepth: 0'), /bad\.yaml:8:\d+: phases\[0\]\.jobs\[0\]\.iodepth: /],
  ];

  it.each(MALFORMED)('%s: exit 2, one paragraph naming file:line:col, no stack, no results', async (_what, text, message) => {
    const path = await workload(text, 'bad.yaml');
    const r = await cli('run', path, '-o', tmp.path('r.json'), '--no-qemu-check');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.startsWith(`qed-bench: ${path}:`)).toBe(true);
    expect(r.stderr).not.toContain(STACK_LINE);
    expect(r.stderr).not.toContain('internal error');
    expect(r.stderr.trimEnd()).not.toMatch(/\n\s*\n/); // one paragraph
    expect(r.stdout).toBe('');
    expect(readdirSync(dirname(path))).toEqual(['bad.yaml']);
  });

  it('a missing workload file: exit 2 naming it', async () => {
    const r = await cli('run', tmp.path('nope.yaml'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${tmp.path('nope.yaml')}: cannot read the workload file: no such file`);
    expect(r.stderr).not.toContain(STACK_LINE);
  });
});
