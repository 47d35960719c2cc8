import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileBackend } from '../../src/io/file-backend.js';
import { createImage } from '../../src/qed/create.js';
import { loadWorkload } from '../../src/workload/load.js';
import { tempDirs } from '../helpers/tmp.js';

const tempDir = tempDirs();

async function imageIn(dir: string): Promise<void> {
  const io = await FileBackend.open(join(dir, 'disk.qed'), { create: true });
  await createImage(io, { size: 32 << 20, clusterSize: 4096, tableSize: 2 });
  await io.close();
}

const JOBS = 'phases:\n  - jobs: [ { region: { span: 50% }, stop: { ops: 1 } } ]\n';

describe('image.path: an existing image', () => {
  it('takes its geometry from the header, resolves beside the workload and is always kept', async () => {
    const dir = await tempDir();
    await imageIn(dir);
    await writeFile(join(dir, 'w.yaml'), `image:\n  path: disk.qed\n  keep: false\n${JOBS}`);
    const [w] = await loadWorkload(join(dir, 'w.yaml'));
    expect(w.image).toEqual({ path: join(dir, 'disk.qed'), size: 32 << 20, clusterSize: 4096, tableSize: 2, backing: null, keep: true });
    // Percentages are of the existing image's size.
    expect(w.phases[0].jobs[0].region.span).toBe(16 << 20);
  });

  it('geometry repeated in the file must match the header', async () => {
    const dir = await tempDir();
    await imageIn(dir);
    await writeFile(join(dir, 'w.yaml'), `image:\n  path: disk.qed\n  size: 32M\n  cluster_size: 64k\n${JOBS}`);
    await expect(loadWorkload(join(dir, 'w.yaml'))).rejects.toThrow(
      `w.yaml:4:17: image.cluster_size: expected 4 KiB (the existing image's cluster_size), found 64 KiB; omit it when image.path is given`,
    );
  });

  it('a file that is not a QED image is refused with the reason', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'disk.qed'), Buffer.alloc(4096, 1));
    await writeFile(join(dir, 'w.yaml'), `image: { path: disk.qed }\n${JOBS}`);
    await expect(loadWorkload(join(dir, 'w.yaml'))).rejects.toThrow(/w\.yaml:1:16: image\.path: expected an existing QED image, found "disk\.qed": not a QED image/);
  });
});
