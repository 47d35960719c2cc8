import { execFile } from 'node:child_process';
import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { findOnPath } from '../../src/util/find-on-path.js';
import { cliOk, useTempDir } from './helpers.js';

const tmp = useTempDir();

async function infoJson(image: string) {
  return JSON.parse((await cliOk(0, 'info', image, '--json')).stdout);
}

describe('create + info', () => {
  it('round-trips the geometry through the header', async () => {
    const img = tmp.path('a.qed');
    const created = JSON.parse((await cliOk(0, 'create', img, '100M', '-c', '4k', '-t', '2', '--json')).stdout);
    expect(created).toMatchObject({ filename: img, size: 100 * 2 ** 20, clusterSize: 4096, tableSize: 2, backingFile: null });
    // Header cluster + L1 table (2 clusters), as qemu-img lays it out.
    expect(created.fileLength).toBe(3 * 4096);

    const info = await infoJson(img);
    expect(info.header).toMatchObject({
      magic: '0x00444551',
      cluster_size: 4096,
      table_size: 2,
      header_size: 1,
      features: 0,
      feature_names: [],
      l1_table_offset: 4096,
      image_size: 100 * 2 ** 20,
    });
    expect(info.geometry).toMatchObject({ entries_per_table: 1024, bytes_per_l2_table: 4 * 2 ** 20, max_image_size: 1024 * 1024 * 4096, l1_entries_in_use: 0 });
    expect(info.allocation).toEqual({ data_bytes: 0, zero_bytes: 0, unallocated_bytes: 100 * 2 ** 20, l2_tables: 0, file_length: 3 * 4096 });
  });

  it('reports data, zero clusters and L2 tables after writes', async () => {
    const img = tmp.path('b.qed');
    await cliOk(0, 'create', img, '1G');
    await cliOk(0, 'io', img, '-c', 'write 0 128k', '-c', 'zero 1M 64k', '-c', 'write 768M 64k');
    const info = await infoJson(img);
    expect(info.allocation).toMatchObject({ data_bytes: 192 * 1024, zero_bytes: 64 * 1024, l2_tables: 1 });
    expect(info.allocation.data_bytes + info.allocation.zero_bytes + info.allocation.unallocated_bytes).toBe(2 ** 30);
    expect(info.geometry.l1_entries_in_use).toBe(1);
  });

  it('prints the qemu-img create line and a readable info', async () => {
    const img = tmp.path('c.qed');
    const c = await cliOk(0, 'create', img, '1G');
    expect(c.stdout).toBe(`Formatting '${img}', fmt=qed size=1073741824 cluster_size=65536 table_size=4\n`);
    const i = await cliOk(0, 'info', img);
    expect(i.stdout).toContain('virtual size: 1 GiB (1073741824 bytes)');
    expect(i.stdout).toContain('bytes mapped per L2 table: 2 GiB');
    expect(i.stdout).toContain('max image size: 64 TiB');
  });

  it('takes the size from a raw backing file when SIZE is omitted', async () => {
    await writeFile(tmp.path('base.raw'), Buffer.alloc(3 * 2 ** 20, 0x5a));
    const img = tmp.path('top.qed');
    // A relative name resolves beside the image, not in the working directory.
    await cliOk(0, 'create', img, '-b', 'base.raw', '-F', 'raw');
    const info = await infoJson(img);
    expect(info.header.image_size).toBe(3 * 2 ** 20);
    expect(info.header.feature_names).toEqual(['backing_file', 'backing_format_no_probe']);
    expect(info.backing).toEqual({ file: 'base.raw', format: 'raw', probed: false });
    // Unallocated clusters read through to the backing file.
    await cliOk(0, 'io', img, '-r', '-c', 'read -P 0x5a 1M 64k');
  });

  it('takes the virtual size (not the file length) of a QED backing file', async () => {
    const base = tmp.path('base.qed');
    await cliOk(0, 'create', base, '5M');
    await cliOk(0, 'io', base, '-c', 'write -P 0x77 4M 4k');
    const img = tmp.path('top.qed');
    await cliOk(0, 'create', img, '-b', base);
    const info = await infoJson(img);
    expect(info.header.image_size).toBe(5 * 2 ** 20);
    expect(info.backing).toEqual({ file: base, format: 'qed', probed: true });
    await cliOk(0, 'io', img, '-r', '-c', 'read -P 0x77 4M 4k', '-c', 'read -P 0 0 4k');
  });
});

describe('read-only commands', () => {
  it('info, map and check leave a dirty image byte-for-byte and mtime unchanged', async () => {
    const img = tmp.path('dirty.qed');
    await cliOk(0, 'create', img, '1G');
    await cliOk(0, 'io', img, '-c', 'write -P 1 0 64k');
    // need-check and an unknown autoclear bit: a writable open would repair or clear them.
    const bytes = await readFile(img);
    bytes.writeBigUInt64LE(0x2n, 16);
    bytes.writeBigUInt64LE(0x1n, 32);
    await writeFile(img, bytes);
    const past = new Date('2001-01-01T00:00:00Z');
    await utimes(img, past, past);

    const info = await infoJson(img);
    expect(info.header.feature_names).toEqual(['need_check']);
    expect(info.header.autoclear_features).toBe(1);
    await cliOk(0, 'map', img, '--json');
    await cliOk(0, 'check', img);
    await cliOk(0, 'io', img, '-r', '-c', 'read -P 1 0 64k');

    expect((await stat(img)).mtimeMs).toBe(past.getTime());
    expect(Buffer.compare(await readFile(img), bytes)).toBe(0);
  });

  it('map lists every extent with host offsets for data', async () => {
    const img = tmp.path('m.qed');
    await cliOk(0, 'create', img, '1M');
    await cliOk(0, 'io', img, '-c', 'write 64k 64k', '-c', 'zero 128k 64k');
    const extents = JSON.parse((await cliOk(0, 'map', img, '--json')).stdout);
    expect(extents.map((e: { kind: string }) => e.kind)).toEqual(['unallocated', 'data', 'zero', 'unallocated']);
    expect(extents[1]).toMatchObject({ start: 65536, length: 65536 });
    expect(extents[1].offset % 65536).toBe(0);
    expect(extents[3]).toEqual({ start: 196608, length: 2 ** 20 - 196608, kind: 'unallocated' });
  });
});

describe('create -t 1', () => {
  it('notes on stderr that QEMU cannot open the image (and qemu-img, when installed, indeed refuses it); -t 2 says nothing', async () => {
    const one = tmp.path('one.qed');
    const r = await cliOk(0, 'create', one, '16M', '-c', '4k', '-t', '1');
    expect(r.stderr).toContain('QEMU refuses to open images with table_size 1');
    expect((await cliOk(0, 'create', tmp.path('two.qed'), '16M', '-c', '4k', '-t', '2')).stderr).toBe('');
    const qemuImg = findOnPath('qemu-img');
    if (!qemuImg) return;
    const check = await new Promise<{ code: number | null; stderr: string }>((done) => {
      execFile(qemuImg, ['check', '-f', 'qed', one], (err, _stdout, stderr) => done({ code: err ? (err as { code?: number }).code ?? null : 0, stderr }));
    });
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('QED table offset is invalid');
  });
});
