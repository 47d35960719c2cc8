/**
 * workloads/seed-race.yaml, reduced. With the real file backend whether fifo-unsafe loses a
 * write depends on I/O timing, so this does not assert the loss; it asserts what is certain:
 * fifo keeps every write and never evicts a table in use (growing past capacity instead), and
 * fifo-unsafe evicts tables in use (hundreds of times even in this short run).
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runWorkload, type RunOutcome } from '../../src/replay/runner.js';
import { WorkloadError, parseWorkload } from '../../src/workload/load.js';
import type { Workload } from '../../src/workload/types.js';
import { findOnPath } from '../helpers/qemu.js';

const FILE = 'workloads/seed-race.yaml';
const HAVE_QEMU = findOnPath('qemu-img') !== null;

/**
 * The file with real I/O timing: where the workload schema has a scheduler (a deterministic
 * virtual one may be the file's default), ask for the real one; before it had one, all was real.
 */
function withRealTiming(text: string, set: string[]): Workload[] {
  try {
    return parseWorkload(text, FILE, { set: [...set, 'scheduler.mode=real'] });
  } catch (err) {
    if (err instanceof WorkloadError && err.message.includes('scheduler')) return parseWorkload(text, FILE, { set });
    throw err;
  }
}

async function race(policy: 'fifo' | 'fifo-unsafe'): Promise<RunOutcome> {
  const set = [`cache.policy=${policy}`, 'phases[1].jobs[0].stop.ops=300', 'phases[1].jobs[1].stop.ops=1200', 'phases[1].jobs[2].stop.ops=1200'];
  const ws = withRealTiming(readFileSync(FILE, 'utf8'), set);
  expect(ws).toHaveLength(1); // the override takes cache.policy out of the matrix
  expect(ws[0].cache).toEqual({ size: 4, policy });
  const r = await runWorkload(ws[0], { qemuCheck: HAVE_QEMU ? true : false });
  if (r.image.kept) await rm(dirname(r.image.path), { recursive: true, force: true }); // a failed run keeps its evidence
  return r;
}

describe('seed-race (reduced)', () => {
  it('fifo: integrity passes, no in-use table is ever evicted, the cache grows past capacity instead', async () => {
    const r = await race('fifo');
    const racePhase = r.phases[1];
    expect(racePhase.name).toBe('race');
    expect(racePhase.ops.write.ops).toBe(300);
    expect(racePhase.ops.read.ops).toBe(2400);
    expect(r.integrity).toMatchObject({ verdict: 'passed', staleReads: 0, lostWrites: 0, corruptSectors: 0, unexpectedData: 0 });
    expect(r.integrity.check).toMatchObject({ corruptions: 0, leaks: 0, checkErrors: 0 });
    if (HAVE_QEMU) expect(r.integrity.qemuCheck).toMatchObject({ exitCode: 0, corruptions: 0, leaks: 0 });
    else console.warn('[seed-race] qemu-img not on PATH: its check skipped');
    expect(r.total.cache.evictionsInUse).toBe(0);
    expect(racePhase.cache.evictions).toBeGreaterThan(100);
    expect(racePhase.cache.inUseSkips).toBeGreaterThan(0);
    // 20 requests in flight over a 4-table cache: entries in use push it past capacity.
    expect(racePhase.peakOverCapacity).toBeGreaterThan(0);
    expect(racePhase.cache.overCapacityEpisodes).toBeGreaterThan(0);
  });

  it('fifo-unsafe: evicts tables while requests use them; whatever happens, the verdict matches the evidence', async () => {
    const r = await race('fifo-unsafe');
    const c = r.phases[1].cache;
    expect(c.evictionsInUse).toBeGreaterThan(50);
    expect(c.peakOverCapacity).toBe(0); // it never has to grow
    expect(c.overCapacityEpisodes).toBe(0);
    const i = r.integrity;
    const bad = i.staleReads + i.lostWrites + i.corruptSectors + i.unexpectedData;
    expect(i.verdict).toBe(bad > 0 || i.check!.corruptions > 0 ? 'failed' : 'passed');
    for (const v of i.violations) {
      // A lost allocating write: its sectors read back as zeros or as an earlier write.
      expect(v.kind).toMatch(/^(lost-write|stale-read)$/);
      expect(v.expected).toMatch(/^write #\d+$/);
      expect(v.offset).toBeLessThan(4 << 20); // in table A
    }
    console.info(`[seed-race] fifo-unsafe (reduced): ${c.evictionsInUse} in-use evictions, ${i.lostWrites} lost and ${i.staleReads} stale sectors, verdict ${i.verdict}`);
  });
});
