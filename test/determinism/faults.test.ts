/**
 * Fault injection under the deterministic scheduler: an errno at each engine event, once (and,
 * for the write path, with a probability). The failed request is counted by errno, the replay
 * goes on, the image stays consistent (our check and qemu-img check: no corruptions, leaks
 * allowed) and the shadow model finds every completed write intact; a failed write's own
 * sectors are unpredictable and not verified.
 */
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { IoEvent } from '../../src/io/backend.js';
import { runWorkload, type RunOutcome } from '../../src/replay/runner.js';
import { parseWorkload } from '../../src/workload/load.js';
import { findOnPath } from '../helpers/qemu.js';

const HAVE_QEMU = findOnPath('qemu-img') !== null;
if (!HAVE_QEMU) console.warn('[faults] qemu-img not on PATH: the qemu-img check of each image is skipped');

/**
 * Writes of 1 KiB and 4 KiB into 4 KiB clusters (partial clusters: cow_write fills), eight
 * L2 tables through a cache of two (l2_load), new tables (l1_update), reads of written data
 * (read_aio), flushes. Every event's first occurrence is inside a request of the replay.
 */
const WORKLOAD = `
name: faults
seed: 11
image: { size: 32M, cluster_size: 4k, table_size: 2 }
cache: { size: 2 }
scheduler: { mode: deterministic, reorder: 4 }
phases:
  - name: mixed
    jobs:
      - name: rw
        pattern: random
        op: mixed
        rwmixread: 50
        bs: [{ bs: 4k, weight: 50 }, { bs: 1k, weight: 50 }]
        iodepth: 8
        stop: { ops: 400 }
        flush_every: 50
      - name: hot-reads
        pattern: random
        op: read
        bs: 4k
        region: { offset: 0, span: 8M }
        iodepth: 2
        stop: { ops: 100 }
`;
const PLANNED = 400 + 100 + Math.floor(400 / 50);

async function replay(faults: string, more: string[] = []): Promise<RunOutcome> {
  const [w] = parseWorkload(WORKLOAD, 'faults.yaml', { set: [`scheduler.faults=${faults}`, ...more] });
  const r = await runWorkload(w, { qemuCheck: HAVE_QEMU });
  if (r.image.kept) await rm(dirname(r.image.path), { recursive: true, force: true }); // a failed run keeps its image
  return r;
}

/** What must hold whatever failed: consistent image, every completed write intact. */
function expectConsistent(r: RunOutcome): void {
  const i = r.integrity;
  expect(r.status).toBe('completed');
  expect({ lost: i.lostWrites, stale: i.staleReads, corrupt: i.corruptSectors, unexpected: i.unexpectedData }).toEqual({ lost: 0, stale: 0, corrupt: 0, unexpected: 0 });
  expect(i.violations).toEqual([]);
  expect(i.check).toMatchObject({ corruptions: 0, checkErrors: 0 });
  if (HAVE_QEMU) {
    expect(i.qemuCheck).not.toBeNull();
    expect(i.qemuCheck!.corruptions).toBe(0);
    expect(i.qemuCheck!.checkErrors).toBe(0);
    expect([0, 3]).toContain(i.qemuCheck!.exitCode); // clean, or leaks only
    expect(i.qemuCheck!.leaks).toBe(i.check!.leaks); // the two checks agree
  }
  expect(i.verdict).toBe('passed');
}

/**
 * On a fresh image the first occurrence of each event is: header_update and flush_to_disk:
 * setting need-check (and flushing it) before the first allocating write; l2_update, l1_update:
 * its new L2 table (written, flushed, linked in L1); write_aio and cow_write: its data and fill.
 * Failing after clusters were appended leaves them referenced by nothing: leaks, never corruption.
 */
const EVENTS: Array<{ event: IoEvent; errno: string; op: 'read' | 'write'; leaks: boolean }> = [
  { event: 'l2_update', errno: 'EIO', op: 'write', leaks: true },
  { event: 'l1_update', errno: 'ENOSPC', op: 'write', leaks: true },
  { event: 'write_aio', errno: 'EIO', op: 'write', leaks: true },
  { event: 'cow_write', errno: 'ENOSPC', op: 'write', leaks: true },
  { event: 'read_aio', errno: 'EIO', op: 'read', leaks: false },
  { event: 'l2_load', errno: 'EIO', op: 'read', leaks: false },
  { event: 'flush_to_disk', errno: 'EIO', op: 'write', leaks: false },
  { event: 'header_update', errno: 'ENOSPC', op: 'write', leaks: false },
];

describe('fault injection at each event, once', () => {
  let clean: RunOutcome;

  it('without a fault: every request succeeds and the image is clean', async () => {
    clean = await replay('[]');
    expectConsistent(clean);
    expect(clean.total.requests).toBe(PLANNED);
    expect(clean.total.errorsByCode).toEqual({});
    expect(clean.integrity.check!.leaks).toBe(0);
    // the workload reaches every event the faults below target
    const e = clean.total.engine;
    expect(e.metadataWrites.l2Sector.ops).toBeGreaterThan(0);
    expect(e.metadataWrites.l1.ops).toBeGreaterThan(0);
    expect(e.metadataReads.l2Table.ops).toBeGreaterThan(0);
    expect(e.fillWrites.ops).toBeGreaterThan(0);
    expect(e.dataReads.ops).toBeGreaterThan(0);
  });

  for (const { event, errno, op, leaks } of EVENTS) {
    it(`${errno} once at ${event}: one ${op} fails with ${errno}, the replay continues, the image stays consistent`, async () => {
      const r = await replay(`[{event: ${event}, errno: ${errno}, when: once}]`);
      expect(r.scheduler!.failedByCode).toEqual({ [errno]: 1 }); // injected exactly once
      expect(r.total.errorsByCode).toEqual({ [errno]: 1 }); // and reported as one failed request
      const failedOps = Object.entries(r.total.ops).filter(([, m]) => m.errors > 0).map(([name, m]) => [name, m.errors]);
      expect(failedOps).toEqual([[op, 1]]);
      expect(r.total.requests).toBe(PLANNED); // nothing stopped after the failure
      expect(r.total.ops[op].ops).toBe(clean.total.ops[op].ops);
      expect(r.total.engine.requests.failed).toBe(1);
      expect(r.integrity.readsVerified).toBeGreaterThan(clean.integrity.readsVerified - 10);
      expectConsistent(r);
      if (leaks) expect(r.integrity.check!.leaks).toBeGreaterThan(0);
      else expect(r.integrity.check!.leaks).toBe(0);
      // the in-memory L1 entry is rolled back when its write fails (the table cluster leaks)
      if (event === 'l1_update') expect(r.total.engine.rollbacks).toBe(1);
    });
  }
});

describe('fault injection on the write path, with a probability', () => {
  for (const event of ['write_aio', 'cow_write', 'l2_update', 'l1_update'] as const) {
    it(`ENOSPC at ${event} with p=0.3: every failure counted, the image consistent`, async () => {
      const r = await replay(`[{event: ${event}, errno: ENOSPC, when: 0.3}]`);
      const n = r.scheduler!.failedByCode.ENOSPC ?? 0;
      expect(n).toBeGreaterThan(0);
      // a request fails at most once per injected error (a write may issue several such I/Os)
      expect(r.total.errorsByCode.ENOSPC).toBeGreaterThan(0);
      expect(r.total.errorsByCode.ENOSPC).toBeLessThanOrEqual(n);
      expect(Object.keys(r.total.errorsByCode)).toEqual(['ENOSPC']);
      expect(r.total.requests).toBe(PLANNED);
      // a failed L2 sector or L1 update is undone in memory
      if (event === 'l2_update' || event === 'l1_update') expect(r.total.engine.rollbacks).toBeGreaterThan(0);
      expectConsistent(r);
    });
  }
});

describe('fault injection on the read path, with a probability', () => {
  for (const event of ['l2_load', 'read_aio'] as const) {
    for (const mode of ['deterministic', 'real'] as const) {
      it(`EIO at ${event} with p=0.2 (${mode} timing): the replay's requests fail and are counted; the read-back and checks after it run without faults`, async () => {
        const r = await replay(`[{event: ${event}, errno: EIO, when: 0.2}]`, [`scheduler.mode=${mode}`]);
        expect(r.total.errorsByCode.EIO).toBeGreaterThan(0);
        expect(r.total.requests).toBe(PLANNED);
        expectConsistent(r);
      });
    }
  }
});

describe('fault injection on every flush', () => {
  it("EIO at flush_to_disk, always: the phase's closing flush fails too, and is counted, not the end of the run", async () => {
    const r = await replay('[{event: flush_to_disk, errno: EIO, when: always}]');
    expect(r.status).toBe('completed');
    // Every request's failures plus the closing flush's, which is no request.
    const failedRequests = Object.values(r.total.ops).reduce((n, o) => n + o.errors, 0);
    expect(r.total.errorsByCode.EIO).toBe(failedRequests + 1);
    expect(r.total.requests).toBe(PLANNED);
    expectConsistent(r);
  });
});
