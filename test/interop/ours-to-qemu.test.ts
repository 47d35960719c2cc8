/**
 * Ours → QEMU: images our engine creates and fills with a seeded parallel workload must pass
 * `qemu-img check`, read back through qemu-io exactly as the model says, compare equal to the
 * model as a raw disk, and map the same way under `qemu-img map` and our allocationMap.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageFile, openImageFile } from '../../src/qed/open-file.js';
import {
  describeRun,
  makeTempDir,
  qemuCheck,
  qemuImg,
  qemuIoReadBytes,
  qemuIoVerify,
  qemuMap,
  qemuUnavailable,
  removeTempDir,
} from '../helpers/qemu.js';
import { buildBackingWithOurs, firstMismatch, hex, ourClassifiedMap, untouchedRanges } from './common.js';
import { classifyQemu, firstDifference } from './mapnorm.js';
import type { SparseModel } from './model.js';
import { geometryLabel, oursToQemu } from './scenarios.js';
import { backingBlockPattern, backingName, describeWorkload, generateWorkload, newModel, runOnEngine, type Workload } from './workload.js';

const SKIP = qemuUnavailable('interop: ours → QEMU');

describe.skipIf(SKIP)('ours → QEMU', () => {
  for (const s of oursToQemu) {
    describe(`${geometryLabel(s)}: ${s.name} [seed ${hex(s.seed)}]`, () => {
      let dir: string;
      let file: string;
      let expectedRaw: string;
      let model: SparseModel;
      let workload: Workload;
      const why = (): string => `scenario "${s.name}", ${describeWorkload(workload)} (seed ${hex(s.seed)})`;

      beforeAll(async () => {
        dir = await makeTempDir();
        file = path.join(dir, 'img.qed');
        expectedRaw = path.join(dir, 'expected.raw');
        if (s.backing) await buildBackingWithOurs(dir, s.backing);
        await createImageFile(file, {
          size: s.size,
          clusterSize: s.clusterSize,
          tableSize: s.tableSize,
          ...(s.backing ? { backingFile: backingName(s.backing), backingFormat: s.backing.format } : {}),
        });
        model = newModel(s);
        workload = generateWorkload(s);
        const img = await openImageFile(file, { l2Cache: { size: s.cacheSize } });
        try {
          await runOnEngine(img, workload, model);
        } finally {
          await img.close();
        }
        await model.writeRaw(expectedRaw);
      });

      afterAll(async () => {
        await removeTempDir(dir);
      });

      it('qemu-img check: clean, and the same cluster counts as our check', async () => {
        const { run, check } = await qemuCheck(file);
        expect(run.code, `${why()}\n${describeRun(run)}`).toBe(0);
        expect({ corruptions: check.corruptions, leaks: check.leaks, checkErrors: check.checkErrors }, why()).toEqual({ corruptions: 0, leaks: 0, checkErrors: 0 });
        expect(check.allocatedClusters, why()).toBeGreaterThan(0);

        const img = await openImageFile(file, { readOnly: true });
        try {
          expect(img.needsCheck, `need-check still set after close; ${why()}`).toBe(false);
          const ours = await img.check();
          expect(
            { total: ours.totalClusters, allocated: ours.allocatedClusters, fragmented: ours.fragmentedClusters, corruptions: ours.corruptions, leaks: ours.leaks },
            why(),
          ).toEqual({ total: check.totalClusters, allocated: check.allocatedClusters, fragmented: check.fragmentedClusters, corruptions: 0, leaks: 0 });
        } finally {
          await img.close();
        }
      });

      it('qemu-io read -P verifies every constant region written (and the backing file around them)', async () => {
        const regions = model.constantRuns(model.touchedRanges());
        expect(regions.length, why()).toBeGreaterThan(s.phases.reduce((a, b) => a + b, 0) / 2);
        const v = await qemuIoVerify(file, regions);
        expect(v.failures, why()).toEqual([]);
        expect(v.reads, why()).toBe(regions.length);
      });

      it('qemu-io reads every textured region byte for byte', async () => {
        const ranges = model.texturedRanges().map(([a, b]) => ({ offset: a, length: b - a }));
        expect(ranges.length, why()).toBeGreaterThan(0);
        const got = await qemuIoReadBytes(file, ranges);
        ranges.forEach((r, i) => {
          const at = firstMismatch(got[i], model.read(r.offset, r.length));
          expect(at, `textured region ${r.offset}+${r.length}: first mismatch at ${r.offset + at}; ${why()}`).toBe(-1);
        });
      });

      if (!s.blockStatusBroken) {
        it('qemu-img compare with the model as a raw disk', async () => {
          const r = await qemuImg(['compare', '-f', 'qed', '-F', 'raw', file, expectedRaw]);
          expect(r.code, `${why()}\n${describeRun(r)}`).toBe(0);
        });

        it('qemu-img map agrees with our allocationMap', async () => {
          const theirs = classifyQemu(await qemuMap(file));
          const ours = await ourClassifiedMap(file);
          expect(ours.some((c) => c.kind === 'data'), why()).toBe(true);
          expect(firstDifference(ours, theirs), why()).toBeNull();
          expect(ours, why()).toEqual(theirs);
        });
      }

      if (s.backing) {
        it('the backing file shows through every unwritten region, and zeros past its end', async () => {
          const b = s.backing!;
          const under = untouchedRanges(model, 0, b.size);
          const regions = model.constantRuns(under);
          const fromBacking = regions.filter((r) => r.pattern !== 0);
          expect(fromBacking.length, why()).toBeGreaterThan(5);
          for (const r of fromBacking) expect(r.pattern, why()).toBe(backingBlockPattern(Math.floor(r.offset / 65536)));
          const past = model.constantRuns(untouchedRanges(model, b.size, b.size + 4 * s.zoneLen));
          expect(past.length, why()).toBeGreaterThan(0);
          expect(past.every((r) => r.pattern === 0), why()).toBe(true);
          const v = await qemuIoVerify(file, [...regions, ...past]);
          expect(v.failures, why()).toEqual([]);
          expect(v.reads, why()).toBe(regions.length + past.length);
          if (b.format === 'qed') {
            const { run } = await qemuCheck(path.join(dir, backingName(b)));
            expect(run.code, `backing image: ${describeRun(run)}`).toBe(0);
          }
        });
      }
    });
  }
});
