import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BlockBackend } from '../../src/io/backend.js';
import { PowerCut } from '../../src/io/power-cut.js';
import { runWorkload, type RunOutcome } from '../../src/replay/runner.js';
import { parseWorkload } from '../../src/workload/load.js';
import { findOnPath } from '../helpers/qemu.js';

const HAVE_QEMU = findOnPath('qemu-img') !== null;
if (!HAVE_QEMU) console.warn('[powercut] qemu-img not on PATH: the qemu-img check part of these tests is skipped');

/** One sequential writer of 8 KiB requests, a flush after every 8th; `cut` is the power_cut mapping. */
function writer(cut: string, o: { iodepth?: number; bs?: string; ops?: number } = {}): string {
  return `
name: pc-test
seed: 11
image: { size: 16M, cluster_size: 4k, table_size: 2 }
scheduler: { mode: deterministic, reorder: 4, power_cut: ${cut} }
phases:
  - name: w
    jobs:
      - { name: writer, pattern: sequential, op: write, bs: ${o.bs ?? '8k'}, iodepth: ${o.iodepth ?? 1}, stop: { ops: ${o.ops ?? 24} }, flush_every: 8 }
`;
}

const kept: string[] = [];

async function run(yaml: string): Promise<RunOutcome> {
  const [w] = parseWorkload(yaml, 'pc-test.yaml');
  const out = await runWorkload(w, { qemuCheck: HAVE_QEMU });
  if (out.image.kept) kept.push(dirname(out.image.path)); // a failed run keeps its evidence
  return out;
}

/** Structural checks after recovery: ours always, qemu-img's when installed. */
function expectStructurallyClean(out: RunOutcome): void {
  expect(out.integrity.check).toMatchObject({ corruptions: 0, checkErrors: 0 });
  if (HAVE_QEMU) expect(out.integrity.qemuCheck).toMatchObject({ corruptions: 0, checkErrors: 0 });
  else expect(out.integrity.qemuCheck).toBeNull();
}

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(kept.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('power cut and recovery in a replay', () => {
  it('a cut right after a completed flush loses nothing: every write intact, need-check clear', async () => {
    const out = await run(writer('{ after_requests: 9 }')); // 8 writes, then the flush
    expect(out.recovery).toMatchObject({
      cutAt: { requests: 9, afterReplay: false },
      writesUndone: 0,
      needCheck: false,
      lostFlushedWrites: 0,
      lostUnflushedWrites: 0,
      verdict: 'passed',
    });
    expect(out.integrity).toMatchObject({ verdict: 'passed', sectorsVerified: 8 * 16, sectorsUnverifiable: 0, violations: [] });
    expect(out.integrity.check).toMatchObject({ leaks: 0 });
    expect(out.total.requests).toBe(9); // the runner stopped issuing at the cut
    expectStructurallyClean(out);
  });

  it('a cut with unflushed writes in flight loses only those; in-flight writes may show old or new', async () => {
    const out = await run(writer('{ after_requests: 14 }', { iodepth: 4 }));
    const r = out.recovery!;
    expect(r).toMatchObject({ lostFlushedWrites: 0, verdict: 'passed', sectorsTorn: 0 });
    expect(r.writesUndone).toBeGreaterThan(0);
    expect(r.lostUnflushedWrites).toBeGreaterThan(0);
    expect(out.scheduler!.failedByCode.EPOWER).toBeGreaterThan(0); // requests in flight at the cut
    expect(out.integrity).toMatchObject({ verdict: 'passed', violations: [] });
    expectStructurallyClean(out);
  });

  it('tear: lost multi-sector writes keep some sectors, and the shadow model accepts the mix', async () => {
    const out = await run(writer('{ after_requests: 14, tear: true }', { iodepth: 4, bs: '64k' }));
    expect(out.recovery).toMatchObject({ lostFlushedWrites: 0, verdict: 'passed' });
    expect(out.recovery!.sectorsTorn).toBeGreaterThan(0);
    expect(out.integrity.verdict).toBe('passed');
    expectStructurallyClean(out);
  });

  it('at_event: the cut comes at the nth request with that event', async () => {
    const out = await run(writer('{ at_event: l2_update, nth: 5 }', { iodepth: 4 }));
    expect(out.recovery).toMatchObject({ cutAt: { event: 'l2_update', afterReplay: false }, lostFlushedWrites: 0, verdict: 'passed' });
    expect(out.scheduler!.failedByCode.EPOWER).toBeGreaterThan(0);
    expectStructurallyClean(out);
  });

  it('is deterministic: the same seed gives the same cut and the same recovery', async () => {
    const yaml = writer('{ random: true, tear: true }', { iodepth: 4, bs: '4k-64k', ops: 40 });
    const [a, b] = [await run(yaml), await run(yaml)];
    expect(b.recovery).toEqual(a.recovery);
    expect(b.integrity.sectorsVerified).toBe(a.integrity.sectorsVerified);
  });

  it('rejects a power cut under real timing, naming the field and the fix', async () => {
    const yaml = writer('{ after_requests: 3 }').replace('mode: deterministic', 'mode: real');
    await expect(run(yaml)).rejects.toThrow(/scheduler\.power_cut: a power cut needs scheduler\.mode: deterministic/);
  });
});

describe('the recovery verifier can fail', () => {
  it('a power cut that ignored flushes (losing durable writes) is reported as lost flushed writes', async () => {
    vi.spyOn(PowerCut.prototype, 'flushed').mockImplementation(() => {});
    const out = await run(writer('{ after_requests: 9 }'));
    expect(out.recovery!.lostFlushedWrites).toBe(8);
    expect(out.recovery!.verdict).toBe('failed');
    expect(out.integrity).toMatchObject({ verdict: 'failed' });
    expect(out.integrity.lostWrites).toBeGreaterThan(0);
  });

  it('garbage in a durable sector after the cut is a corrupt sector and a lost flushed write', async () => {
    let device: BlockBackend | null = null;
    const capture = PowerCut.prototype.capture;
    vi.spyOn(PowerCut.prototype, 'capture').mockImplementation(function (this: PowerCut, inner, buf, offset) {
      device ??= inner;
      return capture.call(this, inner, buf, offset);
    });
    const undo = PowerCut.prototype.undo;
    vi.spyOn(PowerCut.prototype, 'undo').mockImplementation(async function (this: PowerCut) {
      await undo.call(this);
      // The first write's data: the first cluster after the header (4k) and the L1 table (2 × 4k).
      await device!.write(new Uint8Array(512).fill(0x5a), 3 * 4096);
    });
    const out = await run(writer('{ after_requests: 9 }'));
    expect(out.recovery).toMatchObject({ lostFlushedWrites: 1, verdict: 'failed' });
    expect(out.integrity).toMatchObject({ verdict: 'failed', corruptSectors: 1 });
    expect(out.integrity.violations[0]).toMatchObject({ kind: 'corrupt', offset: 0, sectors: 1 });
  });
});
