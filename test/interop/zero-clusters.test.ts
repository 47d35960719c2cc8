/**
 * Zero clusters: `qemu-io write -z` over whole unallocated clusters sets their L2 entries to 1
 * (no data written), and our writeZeroes on a fresh image must produce the same L2 table, byte
 * for byte (indeed the same file). With a backing file, zero clusters hide it.
 */
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImageFile, openImageFile } from '../../src/qed/open-file.js';
import { describeRun, makeTempDir, mustRun, qemuIoVerify, qemuUnavailable, removeTempDir, run } from '../helpers/qemu.js';
import { firstMismatch } from './common.js';
import { readRawImage, tableBytes, tableEntries } from './raw-tables.js';

const SKIP = qemuUnavailable('interop: zero clusters');
const KiB = 1024;
const MiB = 1024 * KiB;

const cases = [
  { label: '64k clusters, table 4', clusterSize: 64 * KiB, tableSize: 4, size: 1024 * MiB },
  { label: '4k clusters, table 2', clusterSize: 4 * KiB, tableSize: 2, size: 64 * MiB },
  { label: '64k clusters, table 4, raw backing file', clusterSize: 64 * KiB, tableSize: 4, size: 256 * MiB, backing: true },
];

describe.skipIf(SKIP)('zero clusters: qemu-io write -z vs our writeZeroes', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir();
    // a backing file whose content must never show through zero clusters
    await fsp.writeFile(path.join(dir, 'base.raw'), Buffer.alloc(1 * MiB, 0xa5));
  });
  afterAll(async () => {
    await removeTempDir(dir);
  });

  for (const c of cases) {
    it(`write -z 0 128k makes L2 entries 1, and ours writes the same table (${c.label})`, async () => {
      const name = c.label.replace(/\W+/g, '-');
      const theirs = path.join(dir, `${name}-qemu.qed`);
      const ours = path.join(dir, `${name}-ours.qed`);
      const zeroLen = 128 * KiB;

      const create = ['create', '-q', '-f', 'qed', '-o', `cluster_size=${c.clusterSize},table_size=${c.tableSize}`];
      if (c.backing) create.push('-b', 'base.raw', '-F', 'raw');
      const cr = await run('qemu-img', [...create, path.basename(theirs), String(c.size)], { cwd: dir });
      expect(cr.code, describeRun(cr)).toBe(0);
      const w = await mustRun('qemu-io', ['-f', 'qed', '-c', `write -z 0 ${zeroLen}`, theirs]);
      expect(w.stdout).toMatch(/wrote 131072\/131072 bytes at offset 0/);

      await createImageFile(ours, {
        size: c.size,
        clusterSize: c.clusterSize,
        tableSize: c.tableSize,
        ...(c.backing ? { backingFile: 'base.raw', backingFormat: 'raw' as const } : {}),
      });
      const img = await openImageFile(ours);
      try {
        await img.writeZeroes(0, zeroLen);
        const back = new Uint8Array(zeroLen + c.clusterSize);
        await img.read(back, 0);
        expect(back.subarray(0, zeroLen).every((b) => b === 0)).toBe(true);
        // past the zero clusters: the backing file (or zeros without one)
        expect(back.subarray(zeroLen).every((b) => b === (c.backing ? 0xa5 : 0))).toBe(true);
      } finally {
        await img.close();
      }

      const q = await readRawImage(theirs);
      const o = await readRawImage(ours);
      const qL1 = tableEntries(q, q.l1Offset);
      const oL1 = tableEntries(o, o.l1Offset);
      expect(qL1[0], 'QEMU allocated no L2 table').toBeGreaterThan(0);
      expect(oL1).toEqual(qL1);

      const n = zeroLen / c.clusterSize;
      const expected = Array.from({ length: q.tableBytes / 8 }, (_, i) => (i < n ? 1 : 0));
      expect(tableEntries(q, qL1[0]), 'QEMU L2 entries').toEqual(expected);
      expect(tableEntries(o, oL1[0]), 'our L2 entries').toEqual(expected);
      expect(Buffer.compare(tableBytes(o, oL1[0]), tableBytes(q, qL1[0]))).toBe(0);

      // byte-compatible: the whole files are identical (header, L1, L2, no data clusters)
      expect(o.bytes.length).toBe(q.bytes.length);
      const at = firstMismatch(o.bytes, q.bytes);
      expect(at, `files differ first at byte ${at}`).toBe(-1);

      // QEMU reads zeros through both (the backing file stays hidden)
      for (const f of [theirs, ours]) {
        const v = await qemuIoVerify(f, [
          { offset: 0, length: zeroLen, pattern: 0 },
          { offset: zeroLen, length: c.clusterSize, pattern: c.backing ? 0xa5 : 0 },
        ]);
        expect(v.failures, f).toEqual([]);
        expect(v.reads).toBe(2);
      }
    });
  }
});
