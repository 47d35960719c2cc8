import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QedFormatError } from '../../src/qed/errors.js';
import { createImageFile, openImageFile } from '../../src/qed/open-file.js';
import { fingerprint, patchFile, u32le, u64le } from '../helpers/image-bytes.js';
import { tempDirs } from '../helpers/tmp.js';

const CS = 65536;
const L1 = CS; // l1_table_offset of a default image

describe('bad images', () => {
  const tmp = tempDirs();

  /** A default 1 GiB image with one data cluster at virtual 0 (table at L1[0]). */
  async function image(): Promise<string> {
    const path = join(await tmp(), 'x.qed');
    await createImageFile(path, { size: 1 << 30 });
    const img = await openImageFile(path);
    await img.write(new Uint8Array(CS).fill(7), 0);
    await img.close();
    return path;
  }

  /** Open read-only, expect a format error naming `field`, and prove nothing was written. */
  async function expectOpenError(path: string, field: string, text: RegExp): Promise<void> {
    const before = await fingerprint(path);
    const err = await openImageFile(path, { readOnly: true }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(QedFormatError);
    expect((err as QedFormatError).field).toBe(field);
    expect((err as Error).message).toContain(path);
    expect((err as Error).message).toMatch(text);
    expect(await fingerprint(path)).toEqual(before);
  }

  it('refuses a truncated header', async () => {
    const path = join(await tmp(), 'short.qed');
    await writeFile(path, Buffer.from('QED\0short'));
    await expectOpenError(path, 'header', /shorter than the 64-byte QED header/);
  });

  it('refuses a bad magic', async () => {
    const path = await image();
    await patchFile(path, 0, u32le(0x12345678));
    await expectOpenError(path, 'magic', /not a QED image/);
  });

  it('refuses unknown feature bits and names them', async () => {
    const path = await image();
    await patchFile(path, 16, u64le(0x10n | (1n << 63n)));
    await expectOpenError(path, 'features', /0x10, 0x8000000000000000/);
  });

  it('refuses an L1 table past the end of the file or unaligned', async () => {
    const path = await image();
    await patchFile(path, 40, u64le(2 ** 40));
    await expectOpenError(path, 'l1_table_offset', /l1_table_offset 1099511627776 is invalid/);
    await patchFile(path, 40, u64le(L1 + 512));
    await expectOpenError(path, 'l1_table_offset', /cluster-aligned/);
  });

  it('refuses an image size past the geometry maximum or not a multiple of 512', async () => {
    const path = await image();
    await patchFile(path, 48, u64le(1000));
    await expectOpenError(path, 'image_size', /not a multiple of 512/);
    await patchFile(path, 48, u64le(2n ** 60n));
    await expectOpenError(path, 'image_size', /exceeds the maximum/);
  });

  it('reports an L2 table offset past the end of the file on read and in check', async () => {
    const path = await image();
    await patchFile(path, L1, u64le(2 ** 40));
    const before = await fingerprint(path);
    const img = await openImageFile(path, { readOnly: true });
    await expect(img.read(new Uint8Array(512), 0)).rejects.toThrow(/L1 entry 0 points to an invalid L2 table offset/);
    const r = await img.check();
    expect(r.corruptions).toBe(1);
    expect(r.findings[0]).toMatchObject({ kind: 'invalid-l1-entry', where: 'l1[0]', fixed: false });
    await img.close();
    expect(await fingerprint(path)).toEqual(before);
  });

  it('reports an unaligned data cluster offset, and repair clears it', async () => {
    const path = await image();
    const img0 = await openImageFile(path, { readOnly: true });
    const tableOffset = img0.l1[0];
    await img0.close();
    expect(tableOffset).toBe(6 * CS); // header, L1 (4 clusters), the data cluster, then its table
    await patchFile(path, tableOffset, u64le(5 * CS + 100));
    const ro = await openImageFile(path, { readOnly: true });
    await expect(ro.read(new Uint8Array(512), 0)).rejects.toThrow(/invalid cluster offset/);
    expect((await ro.check()).corruptions).toBe(1);
    await ro.close();

    const rw = await openImageFile(path);
    const fixed = await rw.check({ repair: true });
    expect(fixed).toMatchObject({ corruptions: 0, corruptionsFixed: 1, leaks: 1 });
    const b = new Uint8Array(512);
    await rw.read(b, 0);
    expect(b.every((x) => x === 0)).toBe(true);
    await rw.close();
  });

  it('reports a cluster referenced twice as a corruption that repair cannot fix', async () => {
    const path = join(await tmp(), 'twice.qed');
    await createImageFile(path, { size: 1 << 30 });
    const img = await openImageFile(path);
    await img.write(new Uint8Array(CS).fill(1), 0);
    await img.write(new Uint8Array(CS).fill(2), CS);
    const table = img.l1[0];
    await img.close();
    const first = await (async () => {
      const ro = await openImageFile(path, { readOnly: true });
      const t = await ro.l2TableForMap(0);
      await ro.close();
      return t![0];
    })();
    await patchFile(path, table + 8, u64le(first)); // entry 1 now shares entry 0's cluster
    const rw = await openImageFile(path);
    const r = await rw.check({ repair: true });
    expect(r.corruptions).toBe(1);
    expect(r.corruptionsFixed).toBe(0);
    expect(r.findings.some((f) => f.kind === 'double-reference')).toBe(true);
    await rw.close();
  });

  it('a read-only open of an image with need-check set neither repairs nor writes', async () => {
    const path = await image();
    await patchFile(path, 16, u64le(0x2));
    await patchFile(path, 32, u64le(0x1)); // an unknown autoclear bit, too
    const before = await fingerprint(path);
    const img = await openImageFile(path, { readOnly: true });
    expect(img.needsCheck).toBe(true);
    await img.read(new Uint8Array(CS), 0);
    await img.close();
    expect(await fingerprint(path)).toEqual(before);
  });

  it('a writable open clears unknown autoclear bits and repairs a need-check image', async () => {
    const path = await image();
    await patchFile(path, 16, u64le(0x2));
    await patchFile(path, 32, u64le(0x8));
    const img = await openImageFile(path);
    expect(img.needsCheck).toBe(false);
    expect(img.header.autoclearFeatures).toBe(0n);
    await img.close();
    const again = await openImageFile(path, { readOnly: true });
    expect(again.header.features).toBe(0n);
    expect(again.header.autoclearFeatures).toBe(0n);
    await again.close();
  });
});
