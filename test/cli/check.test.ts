import { open } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { checkExitCode, checkJson } from '../../src/cli/check.js';
import type { CheckResult } from '../../src/qed/check.js';
import { cli, cliOk, useTempDir } from './helpers.js';

const tmp = useTempDir();
const CLUSTER = 65536;
const L1_OFFSET = CLUSTER; // qemu-img's layout with default geometry

/** Overwrite one little-endian u64 in the file, as a stray write or bad tool would. */
async function poke(path: string, at: number, value: number): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(value));
    await fh.write(b, 0, 8, at);
  } finally {
    await fh.close();
  }
}

async function peek(path: string, at: number): Promise<number> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(8);
    await fh.read(b, 0, 8, at);
    return Number(b.readBigUInt64LE());
  } finally {
    await fh.close();
  }
}

async function imageWithData(): Promise<string> {
  const img = tmp.path('c.qed');
  await cliOk(0, 'create', img, '4G');
  await cliOk(0, 'io', img, '-c', 'write -P 1 0 128k', '-c', 'write -P 2 1M 64k');
  return img;
}

describe('check', () => {
  it('a clean image: exit 0, the file named, then qemu-img wording, exact JSON keys', async () => {
    const img = await imageWithData();
    const r = await cliOk(0, 'check', img);
    expect(r.stdout).toBe(`Image: ${img}\nNo errors were found on the image.\n3/65536 = 0.00% allocated, 33.33% fragmented\n`);
    const j = JSON.parse((await cliOk(0, 'check', img, '--json')).stdout);
    expect(Object.keys(j).sort()).toEqual(['allocated-clusters', 'check-errors', 'filename', 'format', 'fragmented-clusters', 'total-clusters']);
    expect(j).toMatchObject({ filename: img, format: 'qed', 'check-errors': 0, 'total-clusters': 65536, 'allocated-clusters': 3 });
  });

  it('an invalid offset in an unused L1 entry: exit 2, then --repair leaves a clean image (exit 0)', async () => {
    const img = await imageWithData();
    await poke(img, L1_OFFSET + 8, 12345); // L1[1]: not cluster-aligned

    const bad = await cli('check', img, '--json');
    expect(bad.code).toBe(2);
    const j = JSON.parse(bad.stdout);
    expect(j.corruptions).toBe(1);
    expect(j).not.toHaveProperty('leaks');
    expect(j).not.toHaveProperty('corruptions-fixed');
    expect(j.findings).toEqual([expect.objectContaining({ kind: 'invalid-l1-entry', where: 'l1[1]', fixed: false })]);
    const human = await cli('check', img);
    expect(human.stdout).toContain('ERROR l1[1]: L1 entry 1 points to 12345');
    expect(human.stdout).toContain('1 errors were found on the image.');
    expect(await peek(img, L1_OFFSET + 8)).toBe(12345); // check alone did not write

    const fixed = await cli('check', img, '--repair', '--json');
    expect(fixed.code).toBe(0);
    const f = JSON.parse(fixed.stdout);
    expect(f['corruptions-fixed']).toBe(1);
    expect(f).not.toHaveProperty('corruptions');
    expect(await peek(img, L1_OFFSET + 8)).toBe(0);
    await cliOk(0, 'check', img);
    await cliOk(0, 'io', img, '-r', '-c', 'read -P 1 0 128k', '-c', 'read -P 2 1M 64k');
  });

  it('an invalid L1 entry that hid a table: --repair fixes it but its clusters leak (exit 3)', async () => {
    const img = await imageWithData();
    const table = await peek(img, L1_OFFSET);
    expect(table).toBeGreaterThan(0);
    await poke(img, L1_OFFSET, 2 ** 40); // L1[0]: far past the end of the file

    expect((await cli('check', img)).code).toBe(2);
    const r = await cli('check', img, '--repair');
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('Repaired l1[0]');
    expect(r.stdout).toContain('Double checking the fixed image now...');
    expect(r.stdout).toContain(`Leaked cluster at ${table} is not referenced by any table`);
    // The orphaned L2 table (4 clusters) and the 3 data clusters.
    expect(r.stdout).toContain('7 leaked clusters were found on the image.\nThis means waste of disk space, but no harm to data.\n');
    const j = JSON.parse((await cli('check', img, '--json')).stdout);
    expect(j).toMatchObject({ leaks: 7, 'allocated-clusters': 0 });
    expect(j).not.toHaveProperty('corruptions');
  });

  it('an invalid L2 entry: reported with its table, repaired to unallocated', async () => {
    const img = await imageWithData();
    const table = await peek(img, L1_OFFSET);
    await poke(img, table + 5 * 8, CLUSTER * 1000 + 1);
    const j = JSON.parse((await cli('check', img, '--json')).stdout);
    expect(j.corruptions).toBe(1);
    expect(j.findings[0]).toMatchObject({ kind: 'invalid-l2-entry', where: `l2@${table}[5]` });
    // io refuses to read through the bad entry rather than returning garbage.
    const read = await cli('io', img, '-r', '-c', 'read 320k 4k');
    expect(read.code).toBe(1);
    expect(read.stderr).toContain('check --repair');

    await cliOk(0, 'check', img, '--repair');
    await cliOk(0, 'io', img, '-r', '-c', 'read -P 0 320k 4k');
  });
});

describe('check result mapping (qemu-img exit codes)', () => {
  const base: CheckResult = {
    totalClusters: 16, allocatedClusters: 2, fragmentedClusters: 0, corruptions: 0,
    corruptionsFixed: 0, leaks: 0, checkErrors: 0, findings: [],
  };
  it('check errors win over corruptions, corruptions over leaks', () => {
    expect(checkExitCode({ ...base, checkErrors: 1, corruptions: 1 })).toBe(1);
    expect(checkExitCode({ ...base, corruptions: 1, leaks: 1 })).toBe(2);
    expect(checkExitCode({ ...base, leaks: 1 })).toBe(3);
    expect(checkExitCode(base)).toBe(0);
  });
  it('JSON keeps check-errors always and drops zero optional counts', () => {
    expect(checkJson('f', { ...base, checkErrors: 2 })).toEqual({
      filename: 'f', format: 'qed', 'check-errors': 2, 'total-clusters': 16, 'allocated-clusters': 2,
    });
  });
});
