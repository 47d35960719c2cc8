/**
 * Where results go, refused before any replay and creating nothing: an -o that is a directory or
 * the input itself, a results directory blocked by a file; and a replay that fails leaves no
 * results directory behind.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { workload } from '../hostile/fixtures.js';
import { cli, cliOk, expectRefused, useTempDir } from './helpers.js';

const tmp = useTempDir();
const WORKLOAD = workload('o');

interface Case {
  name: string;
  setup: (d: (f: string) => string) => Promise<string[]>;
  says: string[];
}

const CASES: Case[] = [
  { name: 'run -o onto the trace it replays', setup: async (d) => {
    await copyFile('workloads/traces/alibaba.csv', d('a.csv'));
    return ['run', d('a.csv'), '-q', '--no-qemu-check', '-o', d('a.csv')];
  }, says: ['a.csv: it is the input'] },
  { name: 'run -o onto its workload', setup: async (d) => {
    await writeFile(d('w.yaml'), WORKLOAD);
    return ['run', d('w.yaml'), '-q', '--no-qemu-check', '-o', d('w.yaml')];
  }, says: ['w.yaml: it is the input'] },
  { name: 'run -o onto the image file the workload writes', setup: async (d) => {
    await cliOk(0, 'create', d('img.qed'), '16M', '--cluster-size', '4k', '--table-size', '1');
    await writeFile(d('w.yaml'), workload('o', '', `image: { path: ${d('img.qed')} }`));
    return ['run', d('w.yaml'), '-q', '--no-qemu-check', '-o', d('img.qed')];
  }, says: ['img.qed: it is the input'] },
  { name: 'run -o onto a trace a job replays', setup: async (d) => {
    await copyFile('workloads/traces/alibaba.csv', d('a.csv'));
    await writeFile(d('w.yaml'), 'name: t\nimage: { size: 4G }\nphases:\n  - name: p\n    jobs:\n      - { name: j, trace: { file: a.csv, format: alibaba, fit: wrap }, iodepth: 4 }\n');
    return ['run', d('w.yaml'), '-q', '--no-qemu-check', '-o', d('a.csv')];
  }, says: ['a.csv: it is the input'] },
  { name: 'run -o a directory', setup: async (d) => {
    await writeFile(d('w.yaml'), WORKLOAD);
    await mkdir(d('out'));
    return ['run', d('w.yaml'), '-q', '--no-qemu-check', '-o', d('out')];
  }, says: ['out: it is a directory'] },
  { name: 'run -o below a file', setup: async (d) => {
    await writeFile(d('w.yaml'), WORKLOAD);
    return ['run', d('w.yaml'), '-q', '--no-qemu-check', '-o', join(d('w.yaml'), 'r.json')];
  }, says: ['cannot write there: a file of that name is in the way'] },
  { name: 'a trace request past the image leaves no results directory', setup: async (d) => {
    await writeFile(d('a.csv'), '3,R,99999999999999,4096,1\n');
    return ['run', d('a.csv'), '--format', 'alibaba', '-q', '--no-qemu-check', '--set', 'image.size=1G', '--results-dir', d('results')];
  }, says: ['a.csv:1:1: offset: request 99999999999999+4096 (read) ends past'] },
  { name: 'sweep -o a directory', setup: async (d) => {
    await writeFile(d('w.yaml'), WORKLOAD);
    await mkdir(d('out'));
    return ['sweep', d('w.yaml'), '-q', '-o', d('out')];
  }, says: ['out: it is a directory'] },
  { name: 'sweep -o onto its workload', setup: async (d) => {
    await writeFile(d('w.yaml'), WORKLOAD);
    return ['sweep', d('w.yaml'), '-q', '-o', d('w.yaml')];
  }, says: ['w.yaml: it is the input'] },
  { name: 'sweep --results-dir blocked by a file', setup: async (d) => {
    await writeFile(d('w.yaml'), WORKLOAD);
    await writeFile(d('blk'), 'x');
    return ['sweep', d('w.yaml'), '-q', '--results-dir', d('blk')];
  }, says: ['blk: cannot create the results directory: a file of that name is in the way'] },
  { name: 'report -o onto its results file', setup: async (d) => {
    await writeFile(d('w.yaml'), WORKLOAD);
    await cliOk(0, 'run', d('w.yaml'), '-q', '--no-qemu-check', '-o', d('r.json'));
    return ['report', d('r.json'), '-o', d('r.json')];
  }, says: ['-o', 'r.json: it is the input'] },
  { name: 'compare --export-out onto the baseline', setup: async (d) => {
    await writeFile(d('w.yaml'), WORKLOAD);
    await cliOk(0, 'run', d('w.yaml'), '-q', '--no-qemu-check', '-o', d('r.json'));
    return ['compare', d('r.json'), d('r.json'), '--export', 'bencher', '--export-out', d('r.json')];
  }, says: ['--export-out', 'r.json: it is the input'] },
  { name: 'a failed cache-only sweep leaves no results directory', setup: async (d) => {
    await writeFile(d('a.tables'), '1\nx\n');
    return ['sweep', d('a.tables'), '-q', '--cache-size', '2', '--results-dir', d('results')];
  }, says: ['a.tables:2: expected a table id'] },
];

const sha = async (p: string) => createHash('sha256').update(await readFile(p)).digest('hex');

describe('results outputs are refused before any work', () => {
  it.each(CASES)('$name', async (c) => {
    const argv = await c.setup(tmp.path);
    const dir = tmp.path('');
    const files = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(dir, e.name));
    const before = { list: await readdir(dir), hashes: await Promise.all(files.map(sha)) };
    const r = await cli(...argv);
    expectRefused(r, c.says);
    expect({ list: await readdir(dir), hashes: await Promise.all(files.map(sha)) }).toEqual(before);
  });
});
