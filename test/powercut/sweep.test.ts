import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runWorkload } from '../../src/replay/runner.js';
import { parseWorkload } from '../../src/workload/load.js';
import { findOnPath } from '../helpers/qemu.js';

const FILE = 'workloads/power-cut.yaml';
const RUNS = 50;
const HAVE_QEMU = findOnPath('qemu-img') !== null;

/** CI's share of `npm run powercut:sweep` (1,000 seeds): seeded random cuts with tearing. */
describe(`${RUNS} random power cuts on ${FILE}`, () => {
  it('lose no flushed write and leave no unrepaired corruption', async () => {
    if (!HAVE_QEMU) console.warn('[powercut sweep] qemu-img not on PATH: only our check runs after each recovery');
    const text = readFileSync(FILE, 'utf8');
    const t = { lostFlushed: 0, unrepaired: 0, failed: [] as number[], undone: 0, torn: 0, lostUnflushed: 0, needCheck: 0, cutPoints: new Set<number>() };
    for (let seed = 1; seed <= RUNS; seed++) {
      const [w] = parseWorkload(text, FILE, { set: [`seed=${seed}`] });
      const out = await runWorkload(w, { qemuCheck: HAVE_QEMU });
      const r = out.recovery!;
      t.lostFlushed += r.lostFlushedWrites;
      t.unrepaired += out.integrity.check!.corruptions + (out.integrity.qemuCheck?.corruptions ?? 0);
      if (out.integrity.verdict !== 'passed' || r.verdict !== 'passed') t.failed.push(seed);
      t.undone += r.writesUndone;
      t.torn += r.sectorsTorn;
      t.lostUnflushed += r.lostUnflushedWrites;
      t.needCheck += r.needCheck ? 1 : 0;
      t.cutPoints.add(r.cutAt.requests);
    }
    expect({ lostFlushed: t.lostFlushed, unrepaired: t.unrepaired, failedSeeds: t.failed }).toEqual({ lostFlushed: 0, unrepaired: 0, failedSeeds: [] });
    // Not vacuous: cuts fell at many points and took back, tore and lost unflushed writes.
    expect(t.cutPoints.size).toBeGreaterThan(RUNS / 2);
    expect(t.undone).toBeGreaterThan(RUNS);
    expect(t.torn).toBeGreaterThan(RUNS);
    expect(t.lostUnflushed).toBeGreaterThan(RUNS);
    expect(t.needCheck).toBeGreaterThan(RUNS / 2);
  });
});
