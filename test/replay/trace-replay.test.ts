// Trace jobs replayed by the runner: counts and bytes per direction, parallel trace jobs, fit, timing, determinism.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runWorkload } from '../../src/replay/runner.js';
import { parseWorkload } from '../../src/workload/load.js';
import { formatByName } from '../../src/workload/traces/formats.js';
import type { TraceRequest } from '../../src/workload/traces/types.js';
import { encodeTrace } from '../../src/workload/traces/writer.js';
import { Rng } from '../../src/util/random.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs();

function requests(n: number, seed: number, device: string, span: number): TraceRequest[] {
  const rng = new Rng(seed, 1, 1);
  return Array.from({ length: n }, (_, i) => ({
    time: i * 1_000_000,
    op: rng.float() < 0.6 ? 'read' : 'write',
    offset: rng.below(span / 4096) * 4096,
    length: 4096 * (1 + rng.below(4)),
    device,
    line: 0,
  }));
}

const sumBytes = (rs: TraceRequest[], op: string) => rs.filter((r) => r.op === op).reduce((s, r) => s + r.length, 0);

async function setup() {
  const dir = await tmp();
  const msr = [...requests(300, 1, '0', 1 << 30), ...requests(200, 2, '1', 1 << 30)].sort((a, b) => a.time - b.time);
  const log = requests(250, 3, '/dev/vdb', 1 << 29);
  await writeFile(join(dir, 'hm_0.csv.gz'), gzipSync(encodeTrace(formatByName('msr')!, msr)));
  await writeFile(join(dir, 'vdb.iolog'), encodeTrace(formatByName('iolog')!, log));
  return { dir, msr, log };
}

const yaml = (extra = '') => `
image: { size: 2G }
cache: { size: 4 }
scheduler: { mode: deterministic }
phases:
  - jobs:
      - name: msr
        trace: { file: hm_0.csv.gz, device: 0${extra} }
        iodepth: 8
      - name: fio
        trace: { file: vdb.iolog${extra} }
        iodepth: 4
`;

describe('trace jobs in the runner', () => {
  it('replays two traces in parallel: every request, bytes per direction, integrity passes, summary recorded', async () => {
    const { dir, msr, log } = await setup();
    const w = parseWorkload(yaml(), join(dir, 'w.yaml'))[0];
    const out = await runWorkload(w, { inMemory: true });
    const dev0 = msr.filter((r) => r.device === '0');
    expect(out.total.requests).toBe(dev0.length + log.length);
    expect(out.total.ops.read.bytes).toBe(sumBytes(dev0, 'read') + sumBytes(log, 'read'));
    expect(out.total.ops.write.bytes).toBe(sumBytes(dev0, 'write') + sumBytes(log, 'write'));
    expect(out.integrity.verdict).toBe('passed');
    expect(out.traces!.map((t) => [t.job, t.format, t.replayed, t.otherDevices])).toEqual([
      ['msr', 'msr', 300, 200],
      ['fio', 'iolog', 250, 0],
    ]);
    expect(out.traces![0].sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is a pure function of the trace under the deterministic scheduler', async () => {
    const { dir } = await setup();
    const w = parseWorkload(yaml(), join(dir, 'w.yaml'))[0];
    const a = await runWorkload(w, { inMemory: true, verify: false });
    const b = await runWorkload(w, { inMemory: true, verify: false });
    expect(a.total.cache).toEqual(b.total.cache);
    expect(a.total.durationMs).toBe(b.total.durationMs);
  });

  it('timing original turns trace times into virtual time; speed divides it', async () => {
    const { dir } = await setup();
    const slow = await runWorkload(parseWorkload(yaml(', timing: original'), join(dir, 'w.yaml'))[0], { inMemory: true, verify: false });
    const fast = await runWorkload(parseWorkload(yaml(', speed: 10x'), join(dir, 'w.yaml'))[0], { inMemory: true, verify: false });
    // Requests 1 ms apart: the msr job's last device-0 request is due at 299 ms.
    expect(slow.phases[0].durationMs).toBeGreaterThan(290);
    expect(fast.phases[0].durationMs).toBeLessThan(slow.phases[0].durationMs / 3);
  });

  it('fit error names the line; wrap folds offsets into the region', async () => {
    const { dir } = await setup();
    const small = (fit: string) => yaml(`, fit: ${fit}`).replace('size: 2G', 'size: 256M');
    const w = parseWorkload(small('error'), join(dir, 'w.yaml'))[0];
    await expect(runWorkload(w, { inMemory: true, verify: false })).rejects.toThrow(/(hm_0\.csv\.gz|vdb\.iolog):\d+:1: offset: request \d+\+\d+ \(\w+\) ends past the job's region of 268435456 bytes/);
    const wrapped = await runWorkload(parseWorkload(small('wrap'), join(dir, 'w.yaml'))[0], { inMemory: true });
    expect(wrapped.integrity.verdict).toBe('passed');
    expect(wrapped.traces![0].fitted).toBeGreaterThan(0);
  });

  it('a trace job without stop is accepted; a missing file is named', () => {
    expect(() => parseWorkload(yaml(), '/nonexistent/w.yaml')).toThrow(/trace\.file: expected an existing trace file, found "hm_0\.csv\.gz"/);
  });
});

describe('trace jobs: format detection at load time', () => {
  it('fills in the detected format; an undetectable trace is a located workload error', async () => {
    const { dir } = await setup();
    expect(parseWorkload(yaml(), join(dir, 'w.yaml'))[0].phases[0].jobs.map((j) => j.trace?.format)).toEqual(['msr', 'iolog']);
    await writeFile(join(dir, 'vdb.iolog'), 'no idea\n');
    expect(() => parseWorkload(yaml(), join(dir, 'w.yaml'))).toThrow(/w\.yaml:\d+:\d+: phases\[0\]\.jobs\[1\]\.trace\.format: missing; the format of vdb\.iolog cannot be told/);
  });
});
