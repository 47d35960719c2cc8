/**
 * Integrity at the mapping level in a metadata-only replay: the 2012 race (fifo-unsafe on the
 * seed-race workloads) leaves a completed write's cluster unmapped and fails; fifo passes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runWorkload } from '../../src/replay/runner.js';
import { parseWorkload } from '../../src/workload/load.js';

async function metadataRun(file: string, policy: string, set: string[] = []) {
  const [w] = parseWorkload(readFileSync(file, 'utf8'), file, { set: [`cache.policy=${policy}`, ...set] });
  return runWorkload(w, { store: 'metadata', qemuCheck: false });
}

describe('mapping-level integrity (metadata-only)', () => {
  it('seed-race-small: fifo-unsafe fails with a lost L2 update naming the offset and the write; fifo passes', async () => {
    const unsafe = await metadataRun('workloads/seed-race-small.yaml', 'fifo-unsafe');
    const safe = await metadataRun('workloads/seed-race-small.yaml', 'fifo');
    expect(unsafe.image.store).toBe('metadata');
    expect(unsafe.integrity.verdict).toBe('failed');
    const v = unsafe.integrity.violations[0];
    expect(v.kind).toBe('lost-write');
    expect(v.expected).toMatch(/^w#\d+ \(mapped\)$/);
    expect(v.found).toContain('lost L2 update');
    expect(v.offset % 4096).toBe(0);
    expect(safe.integrity.verdict).toBe('passed');
    expect(safe.integrity.writesTracked).toBeGreaterThan(0);
    expect(safe.integrity.sectorsVerified).toBeGreaterThan(0);
  }, 60_000);

  it('a read after the 2012 race resolves through the stale table: a stale read at its virtual offset, as the byte-level shadow says; fifo passes', async () => {
    // The written-down race, then one more read of the cluster whose L2 update the stale table lost.
    const file = 'workloads/race-2012-scenario.yaml';
    const text = readFileSync(file, 'utf8').replace('\nmatrix:', '\n      - request: { op: read, offset: 4k, length: 4k, as: r }\n      - wait: r\nmatrix:');
    const run = (policy: string, store: 'metadata' | 'full') => {
      const [w] = parseWorkload(text, file, { set: [`cache.policy=${policy}`] });
      return runWorkload(w, { store, inMemory: true, qemuCheck: false });
    };
    const meta = await run('fifo-unsafe', 'metadata');
    expect(meta.integrity.verdict).toBe('failed');
    expect(meta.integrity.staleReads).toBe(1);
    const stale = meta.integrity.violations.find((v) => v.kind === 'stale-read');
    expect(stale).toMatchObject({ offset: 4096, during: 'replay', found: 'unmapped (a stale L2 table: lost L2 update)' });
    expect(stale!.expected).toMatch(/^host cluster \d+ \(w#\d+\)$/);
    const full = await run('fifo-unsafe', 'full');
    expect(full.integrity.violations.filter((v) => v.kind === 'stale-read').map((v) => v.offset)).toEqual([4096]);
    const safe = await run('fifo', 'metadata');
    expect(safe.integrity.verdict).toBe('passed');
    expect(safe.integrity.readsVerified).toBe(3);
    expect(safe.integrity.staleReads).toBe(0);
  }, 60_000);

  it('seed-race: fifo-unsafe fails, fifo passes', async () => {
    const unsafe = await metadataRun('workloads/seed-race.yaml', 'fifo-unsafe');
    const safe = await metadataRun('workloads/seed-race.yaml', 'fifo');
    expect(unsafe.integrity.verdict).toBe('failed');
    expect(unsafe.integrity.lostWrites).toBeGreaterThan(0);
    expect(safe.integrity.verdict).toBe('passed');
  }, 120_000);

  it('agrees with the byte-level verdict of a full replay across seeds of seed-race-small', async () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const set = [`seed=${seed}`, `scheduler.seed=${seed}`];
      const [w] = parseWorkload(readFileSync('workloads/seed-race-small.yaml', 'utf8'), 'workloads/seed-race-small.yaml', { set: ['cache.policy=fifo-unsafe', ...set] });
      const full = await runWorkload(w, { inMemory: true, qemuCheck: false });
      const meta = await metadataRun('workloads/seed-race-small.yaml', 'fifo-unsafe', set);
      expect(meta.integrity.verdict === 'failed', `seed ${seed}`).toBe(full.integrity.lostWrites > 0);
    }
  }, 120_000);

  it('power cuts: the mappings of flushed writes survive the cut and recovery (fifo), as the byte-level verdict says', async () => {
    let checked = 0; // a cut before the first flush leaves nothing durable to check; most do not
    for (const file of ['bench/ci/power-cut.yaml', 'workloads/power-cut.yaml']) {
      for (const seed of [1, 2, 3]) {
        const set = [`scheduler.seed=${seed}`];
        const meta = await metadataRun(file, 'fifo', set);
        const [w] = parseWorkload(readFileSync(file, 'utf8'), file, { set: ['cache.policy=fifo', ...set] });
        const full = await runWorkload(w, { inMemory: true, qemuCheck: false });
        expect(meta.recovery, file).not.toBeNull();
        expect(meta.integrity.writesTracked, file).toBeGreaterThan(0);
        expect(meta.recovery!.verdict, `${file} seed ${seed}`).toBe(full.recovery!.verdict);
        expect(meta.recovery!.lostFlushedWrites, `${file} seed ${seed}`).toBe(0);
        expect(meta.integrity.verdict, `${file} seed ${seed}`).toBe('passed');
        checked += meta.integrity.sectorsVerified;
      }
    }
    expect(checked, 'flushed mappings checked after the cuts').toBeGreaterThan(0);
  }, 120_000);
});
