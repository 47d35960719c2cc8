// qed-bench trace stats / convert, and run / sweep given a trace in place of a workload.
import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { cli, cliOk, useTempDir } from './helpers.js';
import { readAll } from '../../src/workload/traces/reader.js';

const MSR = 'workloads/traces/msr-hm.csv.gz';
const tmp = useTempDir();

describe('qed-bench trace', () => {
  it('stats --json: counts add up, footprint and tables under the geometry, devices, exact curve', async () => {
    const { stdout } = await cliOk(0, 'trace', 'stats', MSR, '--json');
    const s = JSON.parse(stdout);
    const reqs = await readAll(MSR);
    expect(s.requests).toBe(reqs.length);
    expect(s.ops.read.requests + s.ops.write.requests).toBe(reqs.length);
    expect(s.ops.write.bytes).toBe(reqs.filter((r) => r.op === 'write').reduce((a, r) => a + r.length, 0));
    expect(s.devices.map((d: { device: string }) => d.device).sort()).toEqual(['0', '1']);
    const blocks = new Set(reqs.flatMap((r) => Array.from({ length: Math.ceil((r.offset + r.length) / 4096) - Math.floor(r.offset / 4096) }, (_, i) => `${r.device}:${Math.floor(r.offset / 4096) + i}`)));
    expect(s.footprint.blocks).toBe(blocks.size);
    expect(s.mrc.kind).toBe('exact');
    expect(s.mrc.distinctTables).toBe(s.footprint.tables);
    expect(s.trace.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('stats --sample-max: a fixed-size SHARDS curve of the same stream, exact while the sample has room', async () => {
    const exact = JSON.parse((await cliOk(0, 'trace', 'stats', MSR, '--json')).stdout).mrc;
    const fixed = JSON.parse((await cliOk(0, 'trace', 'stats', MSR, '--json', '--sample-max', String(exact.distinctTables))).stdout).mrc;
    expect(fixed).toMatchObject({ kind: 'shards', sampleRate: 1, lookups: exact.lookups, distinctTables: exact.distinctTables, missRatio: exact.missRatio });
  });

  it('stats text names the format and the cache that covers the footprint', async () => {
    const { stdout } = await cliOk(0, 'trace', 'stats', MSR);
    expect(stdout).toMatch(/msr trace, .* gzip, sha256 [0-9a-f]{64}/);
    expect(stdout).toMatch(/cache to cover the footprint: QED \d+ tables/);
    // Two devices: the counts keep them apart, while `run`/`sweep` of the trace share tables between them.
    expect(stdout).toContain('devices: 2 (footprint, cache to cover and curve keep them apart, as `--device all` replays them; run/sweep without --device put every device on one disk, sharing tables)');
    const one = (await cliOk(0, 'trace', 'stats', MSR, '--device', '1')).stdout;
    expect(one).not.toContain('keep them apart');
  });

  it('convert to fio iolog v3 keeps every request of the device', async () => {
    const out = tmp.path('x.iolog');
    await cliOk(0, 'trace', 'convert', MSR, '--device', '1', '-o', out);
    expect((await readFile(out, 'utf8')).split('\n')[0]).toBe('fio version 3 iolog');
    const back = await readAll(out);
    const orig = (await readAll(MSR)).filter((r) => r.device === '1');
    expect(back.map((r) => [r.op, r.offset, r.length])).toEqual(orig.map((r) => [r.op, r.offset, r.length]));
  });

  it('a bad line exits 2 with file:line:col, field, expected and found', async () => {
    const f = tmp.path('hm_9.csv');
    await writeFile(f, '128166372003061629,hm,1,Read,0,4096,1\n128166372003061629,hm,1,Read,0,-5,1\n');
    const r = await cli('trace', 'stats', f);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`qed-bench: ${f}:2:32: Size: expected a whole number, found "-5" [msr]; --max-bad-lines N skips and counts up to N bad lines\n`);
    const skipped = await cliOk(0, 'trace', 'stats', f, '--max-bad-lines', '1', '--json');
    expect(JSON.parse(skipped.stdout).trace.badLines).toBe(1);
  });

  it('run TRACE builds the default workload and records the trace in the results', async () => {
    const out = tmp.path('r.json');
    await cliOk(0, 'run', MSR, '--device', '0', '--set', 'cache.size=2', '--set', 'scheduler.mode=deterministic', '--no-qemu-check', '-q', '-o', out);
    const r = JSON.parse(await readFile(out, 'utf8'));
    expect(r.workload.cache).toEqual({ size: 2, policy: 'fifo' });
    expect(r.workload.image.size % 2 ** 31).toBe(0); // a whole number of table spans
    expect(r.traces[0]).toMatchObject({ format: 'msr', device: '0', compression: 'gzip' });
    expect(r.total.requests).toBe(r.traces[0].replayed);
    expect(r.integrity.verdict).toBe('passed');
  });

  it('sweep TRACE --device all: one job per device, every cell the same requests', async () => {
    const out = tmp.path('s.json');
    await cliOk(0, 'sweep', MSR, '--device', 'all', '--cache-size', '2,8', '--policy', 'fifo,lru', '-j', '1', '--no-verify', '-q', '-o', out);
    const s = JSON.parse(await readFile(out, 'utf8'));
    expect(s.runs).toHaveLength(4);
    expect(new Set(s.runs.map((r: { results: { total: { requests: number } } }) => r.results.total.requests)).size).toBe(1);
    expect(s.runs[0].results.workload.phases[0].jobs.map((j: { name: string }) => j.name)).toEqual(['device-0', 'device-1']);
  });
});
