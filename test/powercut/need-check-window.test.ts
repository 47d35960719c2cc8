import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunOutcome } from '../../src/replay/runner.js';
import { runWorkload } from '../../src/replay/runner.js';
import { parseWorkload } from '../../src/workload/load.js';

/**
 * QEMU does not flush the header write that sets need-check before the L2 update. Without that
 * flush a cut could undo the header write (one sector) while a torn two-sector L2 update keeps
 * the sector with new entries whose data clusters were undone past the end of file: need-check
 * clear on disk, so nothing repairs it. Our engine flushes there; this test holds it to that.
 */
const YAML = `
name: need-check-window
seed: 1
image: { size: 16M, cluster_size: 4k, table_size: 2 }
scheduler: { mode: deterministic, reorder: 0, power_cut: { after_requests: 5, tear: true } }
phases:
  - name: w
    jobs:
      # 96k = 24 L2 entries: the third write's entries (48..71) straddle two L2 sectors
      - { name: writer, pattern: sequential, op: write, bs: 96k, iodepth: 1, stop: { ops: 6 }, flush_every: 1 }
`;

describe('need-check and torn L2 updates', () => {
  let out: RunOutcome;
  beforeAll(async () => {
    const [w] = parseWorkload(YAML, 'need-check-window.yaml');
    out = await runWorkload(w, { qemuCheck: false });
  });
  afterAll(async () => {
    if (out?.image.kept) await rm(dirname(out.image.path), { recursive: true, force: true }); // a failed run keeps its image
  });

  it('loses no flushed write and tears the L2 update', () => {
    expect(out.recovery).toMatchObject({ lostFlushedWrites: 0, corruptionsFound: 1 });
    expect(out.recovery!.sectorsTorn).toBeGreaterThan(0);
  });

  it('leaves no unrepaired corruption: need-check is on disk, so the open repairs it', () => {
    expect(out.recovery).toMatchObject({ needCheck: true, corruptionsFixed: 1, verdict: 'passed' });
  });
});
