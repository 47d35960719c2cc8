/**
 * The shadow model against a real image file corrupted between the writes and the read-back:
 * the engine's structural check cannot see damaged data clusters; the shadow model must, and
 * must name the virtual offset, the write that should be there and what was found instead.
 */
import { closeSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allocationMap } from '../../src/qed/map.js';
import type { QedImage } from '../../src/qed/image.js';
import { createImageFile, openImageFile } from '../../src/qed/open-file.js';
import { qemuImgCheck } from '../../src/replay/qemu-check.js';
import { runWorkload } from '../../src/replay/runner.js';
import { ShadowModel } from '../../src/replay/shadow.js';
import { SECTOR, wordsOf } from '../../src/replay/stamp.js';
import { parseWorkload } from '../../src/workload/load.js';
import { patchFile } from '../helpers/image-bytes.js';
import { findOnPath } from '../helpers/qemu.js';
import { tempDirs } from '../helpers/tmp.js';

const tempDir = tempDirs();
const CS = 4096;
const SEED = 77;
const NOT_A_STAMP = 'bytes that are neither zeros nor an intact stamp';

async function freshImage(dir: string): Promise<string> {
  const path = join(dir, 'disk.qed');
  await createImageFile(path, { size: 16 << 20, clusterSize: CS, tableSize: 2 }); // 4 MiB per L2 table
  return path;
}

/** A write through the engine, registered with the shadow model as the runner does it. */
async function shadowWrite(img: QedImage, shadow: ShadowModel, offset: number, length: number): Promise<number> {
  const w = shadow.beginWrite(offset, length, false);
  let ok = false;
  try {
    await img.write(w.data!, offset);
    ok = true;
  } finally {
    shadow.endWrite(w.seq, ok);
  }
  return w.seq;
}

async function shadowZero(img: QedImage, shadow: ShadowModel, offset: number, length: number): Promise<number> {
  const w = shadow.beginWrite(offset, length, true);
  await img.writeZeroes(offset, length);
  shadow.endWrite(w.seq, true);
  return w.seq;
}

/** Host file offset of a virtual offset inside a data cluster. */
async function hostOf(img: QedImage, virtual: number): Promise<number> {
  const e = (await allocationMap(img)).find((x) => x.kind === 'data' && x.start <= virtual && virtual < x.start + x.length);
  if (!e) throw new Error(`virtual offset ${virtual} is not in a data cluster`);
  return e.offset! + (virtual - e.start);
}

async function readBack(path: string, shadow: ShadowModel) {
  const img = await openImageFile(path);
  try {
    await shadow.verifyAll((buf, off) => img.read(buf, off));
    return { report: shadow.report(), check: await img.check() };
  } finally {
    await img.close();
  }
}

describe('the shadow model catches data corrupted on disk between write and read-back', () => {
  // Byte 20 is the stamp's reserved header word, which readSector once did not check.
  it.each([0, 4, 8, 16, 20, 100, 511])('a flipped bit at byte %i of one sector: corrupt, at its exact virtual offset', async (byte) => {
    const path = await freshImage(await tempDir());
    const shadow = new ShadowModel(SEED, 'zeros');
    const img = await openImageFile(path);
    const w1 = await shadowWrite(img, shadow, 0, 4 * CS);
    await shadowWrite(img, shadow, 5 << 20, 2 * CS); // in a second L2 table
    await shadowZero(img, shadow, 64 * CS, CS);
    const victim = 2 * CS + 3 * SECTOR; // sector 3 of w1's third cluster
    const host = await hostOf(img, victim);
    await img.close();

    const buf = await readFile(path);
    buf[host + byte] ^= 0x10;
    await patchFile(path, host + byte, buf.subarray(host + byte, host + byte + 1));

    const { report, check } = await readBack(path, shadow);
    expect(report.verdict).toBe('failed');
    expect(report.corruptSectors).toBe(1);
    expect(report.lostWrites + report.staleReads + report.unexpectedData).toBe(0);
    expect(report.violations).toEqual([
      { kind: 'corrupt', offset: victim, sectors: 1, expected: `write #${w1}`, found: NOT_A_STAMP, during: 'read-back', readSeq: undefined },
    ]);
    expect(report.sectorsVerified).toBe(32 + 16 + 8);
    // The structure is intact: only the shadow model can see this.
    expect(check).toMatchObject({ corruptions: 0, leaks: 0, checkErrors: 0 });
  });

  it('an older stamped version copied over a newer write: lost-write (read-back) and stale-read (replay), naming both writes', async () => {
    const path = await freshImage(await tempDir());
    const shadow = new ShadowModel(SEED, 'zeros');
    const img = await openImageFile(path);
    const base = 1 << 20;
    const older = await shadowWrite(img, shadow, base, 2 * CS);
    await img.flush();
    const host = await hostOf(img, base + CS);
    const olderBytes = (await readFile(path)).subarray(host, host + CS);
    const newer = await shadowWrite(img, shadow, base + CS, CS); // in place, same host cluster
    expect(await hostOf(img, base + CS)).toBe(host);
    await img.close();

    await patchFile(path, host, olderBytes); // the newer write "never reached the disk"

    // A read during the replay sees the stale version ...
    const reopened = await openImageFile(path);
    const t = shadow.beginRead(base, 2 * CS);
    const got = new Uint8Array(2 * CS);
    await reopened.read(got, base);
    expect(shadow.endRead(t, got)).toBe(8);
    await reopened.close();
    // ... and the read-back finds the write lost.
    const { report, check } = await readBack(path, shadow);
    expect(report).toMatchObject({ verdict: 'failed', staleReads: 8, lostWrites: 8, corruptSectors: 0, unexpectedData: 0 });
    expect(report.violations).toEqual([
      { kind: 'stale-read', offset: base + CS, sectors: 8, expected: `write #${newer}`, found: `write #${older}`, during: 'replay', readSeq: t.seq },
      { kind: 'lost-write', offset: base + CS, sectors: 8, expected: `write #${newer}`, found: `write #${older}`, during: 'read-back', readSeq: undefined },
    ]);
    expect(check.corruptions).toBe(0);
  });

  it('a data cluster zeroed on disk: lost-write with zeros found', async () => {
    const path = await freshImage(await tempDir());
    const shadow = new ShadowModel(SEED, 'zeros');
    const img = await openImageFile(path);
    const seq = await shadowWrite(img, shadow, 3 * CS, CS);
    const host = await hostOf(img, 3 * CS);
    await img.close();
    await patchFile(path, host + SECTOR, new Uint8Array(2 * SECTOR));

    const { report } = await readBack(path, shadow);
    expect(report.lostWrites).toBe(2);
    expect(report.violations).toEqual([
      { kind: 'lost-write', offset: 3 * CS + SECTOR, sectors: 2, expected: `write #${seq}`, found: 'zeros', during: 'read-back', readSeq: undefined },
    ]);
  });

  it('an intact image verifies clean, and qemu-img agrees the structure is clean', async () => {
    const path = await freshImage(await tempDir());
    const shadow = new ShadowModel(SEED, 'zeros');
    const img = await openImageFile(path);
    await Promise.all([0, 1, 2, 3].map((i) => shadowWrite(img, shadow, i * 3 * CS, 2 * CS)));
    await img.close();
    const { report, check } = await readBack(path, shadow);
    expect(report).toMatchObject({ verdict: 'passed', sectorsVerified: 64, violations: [] });
    expect(check.corruptions).toBe(0);
    if (!findOnPath('qemu-img')) {
      console.warn('[shadow-on-disk] qemu-img not on PATH: skipped its check');
      return;
    }
    expect(await qemuImgCheck(path, true)).toMatchObject({ exitCode: 0, corruptions: 0, leaks: 0 });
  });
});

describe('runWorkload: corruption between the replay and the read-back', () => {
  it('is reported as corrupt at the damaged sector, the verdict fails and the image is kept', async () => {
    const dir = await tempDir();
    const path = await freshImage(dir);
    const yaml = `name: corrupt-me
seed: ${SEED}
image: { path: disk.qed }
cache: { size: 2 }
phases:
  - name: fill
    jobs:
      - { name: w, pattern: sequential, op: write, bs: 8k, iodepth: 4, stop: { ops: 40 } }
`;
    const [w] = parseWorkload(yaml, join(dir, 'corrupt-me.yaml'));
    let victim = -1;
    const r = await runWorkload(w, {
      qemuCheck: false,
      onProgress: (p) => {
        // The last replay report comes after the phase drained and flushed, just before the
        // read-back: damage one stamped sector of the file here (synchronously).
        if (p.stage !== 'replay' || p.done !== p.total || victim >= 0) return;
        victim = flipAStampedSector(path, 17);
      },
    });
    expect(victim).toBeGreaterThanOrEqual(0);
    expect(r.status).toBe('completed');
    expect(r.integrity.verdict).toBe('failed');
    expect(r.integrity.corruptSectors).toBe(1);
    expect(r.integrity.violations).toEqual([expect.objectContaining({ kind: 'corrupt', offset: victim, sectors: 1, during: 'read-back', found: NOT_A_STAMP })]);
    expect(r.integrity.violations[0].expected).toMatch(/^write #\d+$/);
    // An existing image is never deleted; the never-written rest of it cannot be verified.
    expect(r.image).toMatchObject({ path, created: false, kept: true });
    expect(r.integrity.sectorsVerified).toBe(40 * 16);
  });
});

/** Flip a byte in the `nth` sector of the file that holds a stamp of this seed; its virtual offset. */
function flipAStampedSector(path: string, nth: number): number {
  const file = readFileSync(path);
  let seen = 0;
  for (let at = 0; at + SECTOR <= file.length; at += SECTOR) {
    const words = wordsOf(new Uint8Array(file.subarray(at, at + SECTOR)));
    if (words[0] !== 0x48534251 || words[4] !== SEED) continue;
    if (seen++ < nth) continue;
    const fd = openSync(path, 'r+');
    try {
      const b = Buffer.alloc(1);
      readSync(fd, b, 0, 1, at + 123);
      b[0] ^= 0xff;
      writeSync(fd, b, 0, 1, at + 123);
    } finally {
      closeSync(fd);
    }
    return (words[2] + words[3] * 2 ** 32) * SECTOR;
  }
  throw new Error(`fewer than ${nth + 1} stamped sectors in ${path}`);
}
