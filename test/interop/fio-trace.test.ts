// fio interop: fio's write_iolog replayed by qed-bench, and our `trace convert` output replayed by fio, agree on counts and bytes.
import { execFileSync } from 'node:child_process';
import { readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findOnPath } from '../../src/util/find-on-path.js';
import { cliOk } from '../cli/helpers.js';
import { tempDirs } from '../helpers/tmp.js';

const HAS_FIO = findOnPath('fio') !== null;
if (!HAS_FIO) console.log('fio not on PATH: skipping the fio trace interop tests (apt-get install fio)');
const tmp = tempDirs();

interface Dir {
  total_ios: number;
  io_bytes: number;
}
function fioJson(args: string[], cwd: string): { read: Dir; write: Dir } {
  const out = execFileSync('fio', [...args, '--output-format=json', '--ioengine=psync'], { cwd, encoding: 'utf8' });
  return JSON.parse(out.slice(out.indexOf('{'))).jobs[0];
}

describe.skipIf(!HAS_FIO)('fio trace interop', () => {
  it("fio's write_iolog, replayed by qed-bench: same requests and bytes per direction as fio's JSON", async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'scratch'), '');
    await truncate(join(dir, 'scratch'), 16 << 20);
    const fio = fioJson(['--name=w', '--filename=scratch', '--size=16M', '--rw=randrw', '--bssplit=4k/60:16k/40', '--number_ios=400', '--write_iolog=w.iolog'], dir);
    const out = join(dir, 'r.json');
    await cliOk(0, 'run', join(dir, 'w.iolog'), '--no-qemu-check', '-q', '-o', out);
    const r = JSON.parse(await readFile(out, 'utf8'));
    expect(r.traces[0].format).toBe('iolog');
    expect(r.total.ops.read.ops).toBe(fio.read.total_ios);
    expect(r.total.ops.read.bytes).toBe(fio.read.io_bytes);
    expect(r.total.ops.write.ops).toBe(fio.write.total_ios);
    expect(r.total.ops.write.bytes).toBe(fio.write.io_bytes);
    expect(r.integrity.verdict).toBe('passed');
  });

  it('fio --read_iolog replays our trace convert output with the counts trace stats gives', async () => {
    const dir = await tmp();
    const iolog = join(dir, 'x.iolog');
    await cliOk(0, 'trace', 'convert', 'workloads/traces/msr-hm.csv.gz', '--device', '0', '-o', iolog);
    const stats = JSON.parse((await cliOk(0, 'trace', 'stats', iolog, '--json')).stdout);
    await writeFile(join(dir, 'target'), '');
    await truncate(join(dir, 'target'), stats.extent);
    const fio = fioJson(['--name=r', `--read_iolog=${iolog}`, '--replay_redirect=target', '--replay_no_stall=1'], dir);
    expect(fio.read.total_ios).toBe(stats.ops.read.requests);
    expect(fio.read.io_bytes).toBe(stats.ops.read.bytes);
    expect(fio.write.total_ios).toBe(stats.ops.write.requests);
    expect(fio.write.io_bytes).toBe(stats.ops.write.bytes);
  });
});
