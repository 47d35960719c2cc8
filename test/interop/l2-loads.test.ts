/**
 * QEMU's qed_read_table trace is the oracle for L2 table loads: the same sequence, one request
 * at a time, must load as many L2 tables through our engine (fifo, 50 tables) as through
 * qemu-io. Skipped, with a message, when qemu-io or its trace events are missing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOracleImage, compareL2Loads, oracleSequences, ourL2Loads, ORACLE_TABLES, QEMU_CACHE } from '../../scripts/peers/l2-loads.js';
import { probeTools } from '../../scripts/peers/tools.js';
import { makeTempDir, removeTempDir } from '../helpers/qemu.js';

const probeDir = await makeTempDir('qed-l2-probe-');
const tools = await probeTools(probeDir).finally(() => removeTempDir(probeDir));
const skip = tools.qemuIoTrace !== true;
if (skip) console.warn(`[l2-loads] skipped: ${tools.qemuIoTrace}`);

describe.skipIf(skip)('L2 table loads: ours (fifo, 50) equal QEMU 7.2 traced by qemu-io', () => {
  let dir: string;
  let image: string;
  beforeAll(async () => {
    dir = await makeTempDir('qed-l2-loads-');
    image = path.join(dir, 'oracle.qed');
    await buildOracleImage(image);
  });
  afterAll(() => removeTempDir(dir));

  for (const seq of oracleSequences(1200)) {
    it(`${seq.name}: ${seq.description}`, async () => {
      const r = await compareL2Loads(dir, image, seq);
      expect(r.qemuL1Reads, 'QEMU reads the L1 table once, at open').toBe(1);
      // More loads than tables means tables were evicted and loaded again: the cache mattered.
      expect(r.qemu).toBeGreaterThan(ORACLE_TABLES);
      expect(r.ours).toBe(r.qemu);
    });
  }

  it('is sharp: a cache one table smaller, or LRU, loads a different number', async () => {
    const seq = oracleSequences(1200).find((s) => s.name === 'random-read')!;
    const { qemu } = await compareL2Loads(dir, image, seq);
    const copy = path.join(dir, 'sharp.qed');
    fs.copyFileSync(image, copy);
    expect(await ourL2Loads(copy, seq.requests, { size: QEMU_CACHE.size - 1, policy: 'fifo' })).not.toBe(qemu);
    expect(await ourL2Loads(copy, seq.requests, { size: QEMU_CACHE.size, policy: 'lru' })).not.toBe(qemu);
  });
});
