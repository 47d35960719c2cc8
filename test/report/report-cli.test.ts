/** `qed-bench report` input errors: one paragraph naming the file (and line:col or field), exit 2, nothing written. */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { STACK_LINE, cli, cliOk, useTempDir } from '../cli/helpers.js';
import { handMade, sweepOf } from './fixtures.js';

const tmp = useTempDir();

const run = (size: number, policy: string, peakOver = 0) => handMade({ workload: 'w', size, policy, hitRate: 0.5, mdReads: 1, peakOver, read: [1, 2, 3, 4] });

/** Runs report on files with these contents; expects exit 2, one paragraph, no report written. */
async function fails(files: Record<string, string>, ...extra: string[]): Promise<string> {
  const paths = [];
  for (const [name, text] of Object.entries(files)) {
    await writeFile(tmp.path(name), text);
    paths.push(tmp.path(name));
  }
  const out = tmp.path('report.html');
  const r = await cli('report', ...paths, '-o', out, ...extra);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toContain(STACK_LINE);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(existsSync(out)).toBe(false);
  return r.stderr;
}

describe('report: bad input', () => {
  it('names file:line:col of a JSON syntax error, also where Node gives no position', async () => {
    const text = '{\n  "schema": "qed-bench/results@1",\n  "status": completed\n}\n';
    expect(await fails({ 'a.json': text })).toMatch(new RegExp(`^qed-bench: report: ${tmp.path('a.json')}:3:13: not valid JSON \\(Unexpected token 'c'\\); give results files`));
    const cut = JSON.stringify(run(4, 'lru'), null, 2).slice(0, 300);
    const lines = cut.split('\n');
    expect(await fails({ 'b.json': cut })).toContain(`b.json:${lines.length}:${lines[lines.length - 1].length + 1}: not valid JSON (`);
  });

  it('refuses a file of another schema, a later schema version, or none', async () => {
    expect(await fails({ 'c.json': '{"schema": "something/else@1"}' })).toContain('c.json: not a qed-bench results file (schema "something/else@1"; expected "qed-bench/results@1" or "qed-bench/sweep@1")');
    expect(await fails({ 'd.json': '{"name": "x"}' })).toContain('d.json: not a qed-bench results file (no "schema" field;');
    expect(await fails({ 'e.json': '{"schema": "qed-bench/results@2"}' })).toContain('e.json: schema "qed-bench/results@2" is a version this qed-bench does not read');
    expect(await fails({ 'f.json': '[1, 2]' })).toContain('f.json: expected a qed-bench results object, found a list');
  });

  it('names the field that is missing or of the wrong type, inside a sweep too', async () => {
    const r = run(4, 'lru') as unknown as { total: { hitRate: unknown } };
    r.total.hitRate = 'high';
    expect(await fails({ 'g.json': JSON.stringify(r) })).toContain('g.json: total.hitRate: expected number, found "high"');
    const s = sweepOf([{ size: 4, policy: 'lru', results: run(4, 'lru') }, { size: 8, policy: 'lru', results: run(8, 'lru') }], 'w');
    delete (s.runs[1].results.integrity as Partial<typeof s.runs[1]['results']['integrity']>).verdict;
    expect(await fails({ 'h.json': JSON.stringify(s) })).toContain('h.json: runs[1].results.integrity.verdict: ');
  });

  it('refuses a sweep without runs', async () => {
    const s = sweepOf([{ size: 4, policy: 'lru', results: run(4, 'lru') }], 'w');
    s.runs = [];
    expect(await fails({ 'j.json': JSON.stringify(s) })).toContain('j.json: no runs in this file');
  });

  it('names a missing file and an empty directory', async () => {
    const r = await cli('report', tmp.path('nope.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`qed-bench: report: ${tmp.path('nope.json')}: no such file or directory; give results files written by \`qed-bench run\` or \`qed-bench sweep\`, or directories of them\n`);
    await mkdir(tmp.path('empty'));
    expect((await cli('report', tmp.path('empty'))).stderr).toContain(`${tmp.path('empty')}: no *.json files in this directory`);
  });

  it('refuses a --run that matches no run, listing the runs', async () => {
    const msg = await fails({ 'i.json': JSON.stringify(run(4, 'lru')) }, '--run', 'arc');
    expect(msg).toContain('--run "arc": no run matches');
    expect(msg).toContain('these inputs hold 1 run: w/4/lru');
    expect((await cli('report', tmp.path('i.json'), '--format', 'pdf')).code).toBe(2);
  });
});

describe('report: inputs', () => {
  it('reads every *.json of a directory, sorted, beside a file given twice', async () => {
    await mkdir(tmp.path('d'));
    await writeFile(tmp.path('d/2.json'), JSON.stringify(run(8, 'fifo', 3)));
    await writeFile(tmp.path('d/1.json'), JSON.stringify(run(4, 'fifo', 1)));
    await writeFile(tmp.path('d/notes.txt'), 'not read');
    const out = tmp.path('r.html');
    const r = await cliOk(0, 'report', tmp.path('d'), tmp.path('d/1.json'), '-o', out);
    expect(r.stdout).toBe(`report: ${out} (2 runs)\n`);
    const md = await cliOk(0, 'report', tmp.path('d'), '--format', 'md');
    expect(md.stdout).toContain('| 4 | 50.00% / 1.0 / 1 |\n| 8 | 50.00% / 1.0 / 3 |');
  });

  it('places matrix runs of `run` (name[cache.size=8,cache.policy=lru]) in one grid', async () => {
    const named = (name: string, size: number, policy: string) => handMade({ workload: name, size, policy, hitRate: size / 16, mdReads: 1, peakOver: 0, read: [1, 2, 3, 4] });
    await writeFile(tmp.path('m1.json'), JSON.stringify(named('z[cache.size=4,cache.policy=lru]', 4, 'lru')));
    await writeFile(tmp.path('m2.json'), JSON.stringify(named('z[cache.size=8,cache.policy=lru]', 8, 'lru')));
    await writeFile(tmp.path('m3.json'), JSON.stringify(named('z[engine.allocation=parallel,cache.policy=fifo]', 8, 'fifo')));
    const r = await cliOk(0, 'report', tmp.path('m1.json'), tmp.path('m2.json'), tmp.path('m3.json'), '--format', 'md');
    expect(r.stdout).toContain('## z: hit rate / metadata reads per 1000 requests / peak over capacity\n\n| cache size | lru |\n| --- | ---: |\n| 4 | 25.00% / 1.0 / 0 |\n| 8 | 50.00% / 1.0 / 0 |\n');
    expect(r.stdout).toContain('## z\\[engine.allocation=parallel\\]: hit rate');
  });

  it('warns when two files hold the same cell, and charts the first', async () => {
    await writeFile(tmp.path('x.json'), JSON.stringify(run(4, 'lru')));
    await writeFile(tmp.path('y.json'), JSON.stringify(run(4, 'lru')));
    const r = await cliOk(0, 'report', tmp.path('x.json'), tmp.path('y.json'), '--format', 'md');
    expect(r.stderr).toBe(`qed-bench: report: warning: ${tmp.path('y.json')}: w/4/lru is also in ${tmp.path('x.json')}; the charts show the first\n`);
  });
});
