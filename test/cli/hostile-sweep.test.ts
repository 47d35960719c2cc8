/**
 * Hostile input to cache-only sweeps (.tables, oracleGeneral) and cache sizes: exit 2, one
 * message naming the file and line or byte offset (or the option), no stack, no results file.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cli, cliOk, expectRefused, useTempDir } from './helpers.js';

const tmp = useTempDir();

interface Case {
  name: string;
  file: string;
  body: string | Buffer | (() => Promise<Buffer>);
  args: string[];
  says: string[];
}

const oracle = () => readFile('workloads/traces/w01.oracleGeneral');

const CASES: Case[] = [
  { name: 'a bad id', file: 'a.tables', body: '1\n2\nabc\n3\n', args: ['--cache-size', '4'], says: ['a.tables:3: expected a table id', 'found "abc"'] },
  { name: 'a negative id', file: 'a.tables', body: '1\n-2\n', args: ['--cache-size', '4'], says: ['a.tables:2: expected a table id'] },
  { name: 'an id past 2^53', file: 'a.tables', body: '1\n99999999999999999999\n', args: ['--cache-size', '4'], says: ['a.tables:2: expected a table id'] },
  { name: 'CR-only line ends, quoted escaped', file: 'a.tables', body: '4096\r8192\r', args: ['--cache-size', '4'], says: ['a.tables:1: expected a table id', 'found "4096\\r8192"'] },
  { name: 'a fractional id', file: 'a.tables', body: '1\n2.5\n', args: ['--cache-size', '4'], says: ['a.tables:2: expected a table id'] },
  { name: 'a blank line', file: 'a.tables', body: '1\n\n2\n', args: ['--cache-size', '4'], says: ['a.tables:2: expected a table id', 'an empty line'] },
  { name: 'an empty .tables', file: 'a.tables', body: '', args: ['--cache-size', '4'], says: ['a.tables: no table ids'] },
  { name: 'a gzip .tables', file: 'a.tables.gz', body: gzipSync('1\n2\n'), args: ['--cache-size', '4'], says: ['a.tables.gz: byte offset 0: gzip data'] },
  { name: 'a UTF-16 .tables (was a garbled "found" at line 1)', file: 'a.tables', body: Buffer.from('\ufeff1\n2\n', 'utf16le'), args: ['--cache-size', '4'], says: ['a.tables: byte offset 0: UTF-16 text', 'iconv -f UTF-16 -t UTF-8'] },
  { name: 'an empty oracleGeneral', file: 'w.oracleGeneral', body: '', args: ['--cache-size', '4'], says: ['w.oracleGeneral: no requests'] },
  { name: 'an oracleGeneral record cut short', file: 'w.oracleGeneral', body: async () => (await oracle()).subarray(0, 100), args: ['--cache-size', '4'], says: ['w.oracleGeneral: truncated oracle-general record 5 at byte offset 96'] },
  { name: '--cache-size 0', file: 'a.tables', body: '1\n2\n', args: ['--cache-size', '0'], says: ['"0" is not a cache size'] },
  { name: '--cache-size negative', file: 'a.tables', body: '1\n2\n', args: ['--cache-size', '-3'], says: ['"-3" is not a cache size'] },
  { name: '--cache-size huge', file: 'a.tables', body: '1\n2\n', args: ['--cache-size', '99999999999999'], says: ['"99999999999999" is not a cache size', 'at most 1048576'] },
  { name: '--cache-size empty list', file: 'a.tables', body: '1\n2\n', args: ['--cache-size', ','], says: ['name at least one cache size'] },
  { name: '--policy unknown', file: 'a.tables', body: '1\n2\n', args: ['--cache-size', '4', '--policy', 'lru,foo'], says: ['--policy: unknown policy "foo"'] },
  { name: '--device absent (--cache-only)', file: 'a.csv', body: '3,R,0,4096,1\n', args: ['--format', 'alibaba', '--cache-only', '--device', '9', '--cache-size', '4'], says: ['a.csv: no requests for device "9"'] },
];

describe('hostile cache-only sweeps are refused cleanly', () => {
  it.each(CASES)('$name', async (c) => {
    const path = tmp.path(c.file);
    await writeFile(path, typeof c.body === 'function' ? await c.body() : c.body);
    const before = await readdir(tmp.path(''));
    const r = await cli('sweep', path, ...c.args, '-q', '-o', tmp.path('r.json'));
    expectRefused(r, c.says);
    expect(await readdir(tmp.path(''))).toEqual(before);
  });

  it('a directory named .tables is named, for mrc and sweep (was an internal error: EISDIR)', async () => {
    const d = tmp.path('d.tables');
    await mkdir(d);
    for (const argv of [['mrc', d], ['sweep', d, '--cache-size', '4', '-q', '-o', tmp.path('r.json')]]) {
      expectRefused(await cli(...argv), [`${d}: cannot read the trace: it is a directory`]);
    }
    expect(await readdir(tmp.path(''))).toEqual(['d.tables']);
  });

  it('mrc of an empty .tables and io --cache-size huge exit 2 too', async () => {
    const p = tmp.path('e.tables');
    await writeFile(p, '');
    const m = await cli('mrc', p);
    expect(m.code).toBe(2);
    expect(m.stderr).toBe(`qed-bench: ${p}: no table ids (an empty file); nothing to replay\n`);
    const io = await cli('io', p, '--cache-size', '99999999', '-c', 'read 0 4k');
    expect(io.code).toBe(2);
    expect(io.stderr).toContain('at most 1048576');
  });

  it('a byte order mark before the first id is not an id', async () => {
    const plain = tmp.path('p.tables');
    const bom = tmp.path('b.tables');
    await writeFile(plain, '1\n2\n1\n');
    await writeFile(bom, '\ufeff1\n2\n1\n');
    const a = JSON.parse((await cliOk(0, 'sweep', plain, '--cache-size', '1,2', '-q', '--json', '-o', tmp.path('a.json'))).stdout);
    const b = JSON.parse((await cliOk(0, 'sweep', bom, '--cache-size', '1,2', '-q', '--json', '-o', tmp.path('b.json'))).stdout);
    expect(b.runs.map((x: { results: { phases: Array<{ cache: unknown }> } }) => x.results.phases[0].cache)).toEqual(a.runs.map((x: { results: { phases: Array<{ cache: unknown }> } }) => x.results.phases[0].cache));
  });
});
