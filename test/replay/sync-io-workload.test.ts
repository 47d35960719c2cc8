/**
 * image.io: sync through the workload and the CLI: a real-timing replay passes integrity and
 * qemu-img check; under the deterministic scheduler (faults, a power cut) the mode changes
 * nothing the scheduler decides; a bad value is a field error.
 */
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWorkload, type RunOutcome } from '../../src/replay/runner.js';
import { parseWorkload, WorkloadError } from '../../src/workload/load.js';
import { cli, cliOk, useTempDir } from '../cli/helpers.js';
import { findOnPath } from '../helpers/qemu.js';

const HAVE_QEMU = findOnPath('qemu-img') !== null;
if (!HAVE_QEMU) console.warn('[sync-io] qemu-img not on PATH: the qemu-img check of the sync-mode replay is skipped');

const REAL = `
name: sync-io
seed: 5
image: { size: 64M, cluster_size: 4k, table_size: 2, io: sync }
cache: { size: 4 }
engine: { allocation: parallel }
phases:
  - name: mixed
    jobs:
      - { name: writers, pattern: random, op: write, bs: 1k-16k, align: 512, iodepth: 8, stop: { ops: 600 }, flush_every: 100 }
      - { name: zeroes, pattern: random, op: zero, bs: 8k, iodepth: 2, stop: { ops: 60 } }
      - { name: readers, pattern: random, op: read, bs: 4k, iodepth: 8, stop: { ops: 400 } }
`;

async function replay(text: string, source: string, set: string[]): Promise<RunOutcome> {
  const [w] = parseWorkload(text, source, { set });
  const r = await runWorkload(w, { qemuCheck: false });
  if (r.image.kept) await rm(dirname(r.image.path), { recursive: true, force: true });
  return r;
}

/** Everything the deterministic scheduler decides: counters, virtual latencies, errors, recovery. */
function decided(r: RunOutcome): unknown {
  const { startedAt: _s, finishedAt: _f, image: _i, ...rest } = r;
  return JSON.parse(JSON.stringify(rest, (k, v) => (k === 'qemuCheck' ? undefined : v)));
}

function workloadError(text: string, set: string[] = []): WorkloadError {
  try {
    parseWorkload(text, 'w.yaml', { set });
  } catch (e) {
    if (e instanceof WorkloadError) return e;
    throw e;
  }
  throw new Error('the workload loaded');
}

describe('image.io: sync', () => {
  it('a real-timing replay (parallel allocation, zeroes, flushes) passes integrity, our check and qemu-img check', async () => {
    const [w] = parseWorkload(REAL, 'sync-io.yaml');
    expect(w.image.io).toBe('sync');
    const r = await runWorkload(w, { qemuCheck: HAVE_QEMU });
    expect(r.status).toBe('completed');
    expect(r.total.requests).toBeGreaterThanOrEqual(1060);
    expect(r.total.errorsByCode).toEqual({});
    const i = r.integrity;
    expect(i.verdict).toBe('passed');
    expect(i.readsVerified).toBeGreaterThan(0);
    expect(i.lostWrites + i.staleReads).toBe(0);
    expect(i.check).toMatchObject({ corruptions: 0, leaks: 0, checkErrors: 0 });
    if (HAVE_QEMU) expect(i.qemuCheck).toMatchObject({ corruptions: 0, leaks: 0 });
  });

  it('under the deterministic scheduler with faults, and with a torn power cut, sync and async decide the same', async () => {
    const det = REAL.replace('io: sync', 'io: async') + 'scheduler: { mode: deterministic, reorder: 4 }\n';
    for (const extra of [
      ['scheduler.faults=[{event: l2_update, errno: ENOSPC, when: 0.3}, {event: write_aio, errno: EIO, when: once}]'],
      ['scheduler.power_cut={random: true, tear: true}'],
    ]) {
      const a = await replay(det, 'det.yaml', extra);
      const s = await replay(det, 'det.yaml', [...extra, 'image.io=sync']);
      expect(s.integrity.verdict, extra[0]).toBe('passed');
      if (extra[0].includes('faults')) expect(Object.keys(s.total.errorsByCode).sort()).toEqual(['EIO', 'ENOSPC']);
      else expect(s.recovery).toMatchObject({ verdict: 'passed', lostFlushedWrites: 0 });
      expect(decided(s)).toEqual(decided(a));
    }
  });

  it('--set image.io=sync overrides the file; a bad value names the field and the allowed values', () => {
    expect(parseWorkload(REAL.replace('io: sync', 'io: async'), 'w.yaml', { set: ['image.io=sync'] })[0].image.io).toBe('sync');
    expect(parseWorkload(REAL.replace(', io: sync', ''), 'w.yaml')[0].image.io).toBeUndefined(); // auto, the default

    const turbo = workloadError(REAL.replace('io: sync', 'io: turbo'));
    expect(turbo.problems).toHaveLength(1);
    expect(turbo.message).toMatch(/^w\.yaml:4:\d+: image\.io: expected one of auto, async, sync, ring, adaptive, found "turbo"/);
    expect(workloadError(REAL.replace('io: sync', 'io: snyc')).message).toContain('did you mean sync?');
    expect(workloadError(REAL, ['image.io=psync']).message).toContain('image.io: expected one of auto, async, sync, ring, adaptive, found "psync"');
  });
});

describe('qed-bench io --io', () => {
  const tmp = useTempDir();

  it('--io sync runs the commands on the file; a bad mode is a usage error naming the choices', async () => {
    const img = tmp.path('disk.qed');
    await cliOk(0, 'create', img, '16M', '-c', '4k');
    await cliOk(0, 'io', img, '--io', 'sync', '-c', 'write -P 0xab 4k 12k', '-c', 'zero 8k 4k', '-c', 'flush');
    const r = await cliOk(0, 'io', img, '--io', 'sync', '-r', '-c', 'read -P 0xab 4k 4k', '-c', 'read -P 0 8k 4k', '-c', 'read -P 0xab 12k 4k');
    expect(r.stdout).toContain('read 4096/4096 bytes at offset 12288');
    const check = await cliOk(0, 'check', img);
    expect(check.stdout).toMatch(/No errors were found/);
    const bad = await cli('io', img, '--io', 'turbo', '-c', 'flush');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("'turbo' is invalid");
    expect(bad.stderr).toContain('async, sync');
  });
});
