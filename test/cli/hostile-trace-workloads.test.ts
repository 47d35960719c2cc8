/**
 * A workload's `trace:` block gone wrong: unknown key, missing file or a directory, align past 1 MiB (resolved against the YAML's
 * directory, not the cwd), bad values, a device with no request, pattern settings beside `trace`; `run` and `sweep` (on worker
 * threads too) exit 2 with the YAML line:column or the trace's file:line, no stack, no results.
 */
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, cliOk, expectRefused, useTempDir } from './helpers.js';

const tmp = useTempDir();
const yaml = (trace: string, jobExtra = '') => `name: t\nimage: { size: 4G }\nphases:\n  - name: p\n    jobs:\n      - name: j\n        trace: { ${trace} }\n        iodepth: 4\n${jobExtra}`;

interface Case {
  name: string;
  trace: string;
  /** Extra setup in the temp dir (the alibaba sample is always there as a.csv). */
  setup?: (d: (f: string) => string) => Promise<void>;
  /** A directory to make in the temp dir first. */
  mkdir?: string;
  /** The workload's directory inside the temp dir (default: the temp dir itself). */
  yamlDir?: string;
  /** More lines of the job (8-space indent), after iodepth on line 8. */
  jobExtra?: string;
  says: string[];
  /** sweep instead of run, with these extra arguments. */
  sweep?: string[];
  /** stress instead of run, with these extra arguments. */
  stress?: string[];
}

const CASES: Case[] = [
  { name: 'pattern settings beside trace', trace: 'file: a.csv, format: alibaba, fit: wrap', jobExtra: '        pattern: random\n        bs: 64k\n', says: ['w.yaml:9:9: phases[0].jobs[0]: pattern does not apply to a job that replays a trace', 'w.yaml:10:9: phases[0].jobs[0]: bs does not apply'] },
  { name: 'op beside trace (sweep)', trace: 'file: a.csv, format: alibaba, fit: wrap', jobExtra: '        op: write\n        flush_every: 8\n', sweep: ['--cache-size', '2,4', '-j', '2'], says: ['w.yaml:9:9: phases[0].jobs[0]: op does not apply to a job that replays a trace', 'w.yaml:10:9: phases[0].jobs[0]: flush_every does not apply'] },
  { name: 'unknown key', trace: 'file: a.csv, format: alibaba, colour: red', says: ['w.yaml:7:', 'phases[0].jobs[0].trace: unknown key "colour"'] },
  { name: 'missing file', trace: 'file: nope.csv, format: alibaba', says: ['w.yaml:7:', 'trace.file: expected an existing trace file, found "nope.csv"'] },
  // The path exists from the cwd (the repository) but not from the YAML's directory.
  { name: 'relative to the YAML, not the cwd', trace: 'file: workloads/traces/alibaba.csv, format: alibaba', mkdir: 'sub', yamlDir: 'sub', says: ['w.yaml:7:', 'trace.file: expected an existing trace file, found "workloads/traces/alibaba.csv"', 'sub/workloads/traces/alibaba.csv does not exist'] },
  { name: 'unknown format', trace: 'file: a.csv, format: foo', says: ['w.yaml:7:', 'trace.format: expected one of'] },
  { name: 'unknown fit', trace: 'file: a.csv, format: alibaba, fit: squash', says: ['w.yaml:7:', 'trace.fit: expected one of error, wrap, scale'] },
  { name: 'speed 0x', trace: 'file: a.csv, format: alibaba, timing: original, speed: 0x', says: ['w.yaml:7:', 'trace.speed: expected a speed factor above 0'] },
  { name: 'align not a power of two', trace: 'file: a.csv, format: alibaba, align: 3', says: ['w.yaml:7:', 'trace.align:'] },
  { name: 'align past 1 MiB', trace: 'file: a.csv, format: alibaba, align: 1G', says: ['w.yaml:7:', 'trace.align: expected a power of two from 512 to 1 MiB, found 1073741824'] },
  { name: 'trace file is a directory', trace: 'file: d, format: alibaba', mkdir: 'd', says: ['w.yaml:7:', 'trace.file: expected a trace file, found "d"', 'is a directory'] },
  { name: 'max_bad_lines negative', trace: 'file: a.csv, format: alibaba, max_bad_lines: -1', says: ['w.yaml:7:', 'trace.max_bad_lines: expected a whole number'] },
  { name: 'columns for a fixed format', trace: 'file: a.csv, format: alibaba, columns: "offset=3,size=4"', says: ['w.yaml:7:', 'columns applies only to format: csv'] },
  { name: 'a device with no request (run)', trace: 'file: a.csv, format: alibaba, fit: wrap, device: 999', says: ['a.csv: no requests for device "999"'] },
  { name: 'a device with no request (sweep on workers)', trace: 'file: a.csv, format: alibaba, fit: wrap, device: 999', sweep: ['--cache-size', '2,4', '-j', '2'], says: ['a.csv: no requests for device "999"'] },
  { name: 'a bad trace line (sweep on workers)', trace: 'file: b.csv, format: alibaba, fit: wrap', setup: async (d) => writeFile(d('b.csv'), '3,R,0,4096,1\nbad\n'), sweep: ['--cache-size', '2,4', '-j', '2'], says: ['b.csv:2:1: line: expected 5 comma-separated fields'] },
  { name: 'a device with no request (stress on workers)', trace: 'file: a.csv, format: alibaba, fit: wrap, device: 999', stress: ['--seeds', '2', '-j', '2'], says: ['a.csv: no requests for device "999"'] },
  { name: 'a bad trace line (stress in-process)', trace: 'file: b.csv, format: alibaba, fit: wrap', setup: async (d) => writeFile(d('b.csv'), '3,R,0,4096,1\nbad\n'), stress: ['--seeds', '1', '-j', '1'], says: ['b.csv:2:1: line: expected 5 comma-separated fields'] },
  { name: 'a request past the image (fit: error)', trace: 'file: b.csv, format: alibaba', setup: async (d) => writeFile(d('b.csv'), '3,R,99999999999999,4096,1\n'), says: ['b.csv:1:1: offset: request 99999999999999+4096 (read) ends past'] },
];

describe('hostile trace: blocks in workloads are refused cleanly', () => {
  it.each(CASES)('$name', async (c) => {
    await copyFile('workloads/traces/alibaba.csv', tmp.path('a.csv'));
    if (c.mkdir) await mkdir(tmp.path(c.mkdir));
    await c.setup?.(tmp.path);
    const w = join(tmp.path(c.yamlDir ?? ''), 'w.yaml');
    await writeFile(w, yaml(c.trace, c.jobExtra));
    const before = await readdir(tmp.path(''));
    const r = c.sweep
      ? await cli('sweep', w, '-q', '-o', tmp.path('r.json'), ...c.sweep)
      : c.stress
        ? await cli('stress', w, '-q', ...c.stress)
        : await cli('run', w, '-q', '--no-qemu-check', '-o', tmp.path('r.json'));
    expectRefused(r, c.says);
    expect(await readdir(tmp.path(''))).toEqual(before);
  });

  it('pattern keys a trace job inherits through a merge key (an anchor shared with a pattern job) are not its own: accepted', async () => {
    await copyFile('workloads/traces/alibaba.csv', tmp.path('a.csv'));
    const w = tmp.path('w.yaml');
    await writeFile(w, 'name: t\nimage: { size: 4G }\nx-common: &common { pattern: random, bs: 4k, iodepth: 4 }\nphases:\n  - name: p\n    jobs:\n      - name: gen\n        <<: *common\n        stop: { ops: 20 }\n      - name: tr\n        <<: *common\n        trace: { file: a.csv, format: alibaba, fit: wrap, device: 3 }\n');
    await cliOk(0, 'run', w, '-q', '--metadata-only', '-o', tmp.path('r.json'));
  });

  it.each([
    // Located at the key's own line in the anchor, not at the `<<:` that inherits it.
    ['a phase', 'x-phase: &phase\n  name: p\n  jobs:\n    - name: tr\n      trace: { file: a.csv, format: alibaba, fit: wrap, device: 3 }\n      bs: 64k\nphases:\n  - <<: *phase\n', 'w.yaml:8:7:'],
    ['a list of sources', 'x-a: &a { name: p }\nx-b: &b\n  jobs: [{ name: tr, trace: { file: a.csv, format: alibaba, fit: wrap }, op: write }]\nphases:\n  - <<: [*a, *b]\n', 'w.yaml:5:74:'],
  ])('pattern keys written beside trace in a jobs list that %s inherits through a merge key are refused', async (_, body, at) => {
    await copyFile('workloads/traces/alibaba.csv', tmp.path('a.csv'));
    const w = tmp.path('w.yaml');
    await writeFile(w, `name: t\nimage: { size: 4G }\n${body}`);
    const before = await readdir(tmp.path(''));
    const r = await cli('run', w, '-q', '--no-qemu-check', '-o', tmp.path('r.json'));
    expectRefused(r, [`${at} phases[0].jobs[0]:`, 'does not apply to a job that replays a trace']);
    expect(await readdir(tmp.path(''))).toEqual(before);
  });

  it('a bad value a job inherits through a merge key is located where the anchor writes it', async () => {
    const w = tmp.path('w.yaml');
    await writeFile(w, 'name: t\nimage: { size: 4G }\nx-common: &c { iodepth: lots, pattern: random }\nphases:\n  - name: p\n    jobs:\n      - name: g\n        <<: *c\n        stop: { ops: 5 }\n');
    const before = await readdir(tmp.path(''));
    const r = await cli('run', w, '-q', '--no-qemu-check', '-o', tmp.path('r.json'));
    expectRefused(r, ['w.yaml:3:25: phases[0].jobs[0].iodepth: expected a whole number', 'found "lots"']);
    expect(await readdir(tmp.path(''))).toEqual(before);
  });

  it('a relative trace path is found beside the YAML whatever the cwd', async () => {
    await mkdir(tmp.path('sub'));
    await copyFile('workloads/traces/alibaba.csv', tmp.path('sub/a.csv'));
    await writeFile(tmp.path('sub/w.yaml'), yaml('file: a.csv, format: alibaba, fit: wrap, device: 3'));
    await cliOk(0, 'run', tmp.path('sub/w.yaml'), '-q', '--no-qemu-check', '-o', tmp.path('r.json'));
  });

  it.each([
    ['run', ['--device', '3', '--fit', 'wrap', '--iodepth', '8'], ['--device 3, --fit wrap, --iodepth 8:', '(trace.device, trace.fit, iodepth)', '--set phases[0].jobs[0].trace.device=3']],
    ['sweep', ['--format', 'msr', '--cache-size', '2'], ['--format msr:', '(trace.format)']],
  ])('%s of a YAML workload refuses the trace options (they only shape a bare trace\'s default workload)', async (cmd, extra, says) => {
    await copyFile('workloads/traces/alibaba.csv', tmp.path('a.csv'));
    const w = tmp.path('w.yaml');
    await writeFile(w, yaml('file: a.csv, format: alibaba, fit: wrap'));
    const before = await readdir(tmp.path(''));
    const r = await cli(cmd, w, '-q', '-o', tmp.path('r.json'), ...extra);
    expectRefused(r, [`${w}: `, ...says, 'trace options only apply to a trace given in place of the workload']);
    expect(await readdir(tmp.path(''))).toEqual(before);
  });
});
