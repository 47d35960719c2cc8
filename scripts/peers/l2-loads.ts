/**
 * The L2-load oracle: one request sequence, one request at a time, through QEMU (qemu-io with
 * the qed_read_table trace event) and through our engine with QEMU's cache (fifo, 50 tables).
 * Both must load the same number of L2 tables from disk. QEMU's trace is the oracle.
 *
 * qed_read_table fires for every table read: the L1 table once at open, then each L2 load. The
 * image is clean (need-check clear), so QEMU's open runs no consistency check that would read
 * tables too.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createImageFile, openImageFile } from '../../src/qed/open-file.js';
import type { L2CacheSettings } from '../../src/qed/options.js';
import { randomOffsets } from '../lib/offsets.js';
import { runTool } from './tools.js';

/** 4 KiB clusters, table_size 2: each L2 table maps 4 MiB; 128 tables in 512 MiB (table_size 1 QEMU cannot open). */
export const ORACLE_IMAGE = { size: 512 << 20, clusterSize: 4096, tableSize: 2 } as const;
const TABLE_SPAN = (ORACLE_IMAGE.clusterSize * ORACLE_IMAGE.tableSize * ORACLE_IMAGE.clusterSize) / 8;
/** Tables written when the image is built; the rest of the disk has none (L1 entry 0) until a write makes one. */
export const ORACLE_TABLES = 96;
/** QEMU's L2 cache: MAX_L2_CACHE_SIZE entries, first in first out. */
export const QEMU_CACHE = { size: 50, policy: 'fifo' } as const;

const BLOCK = 4096;

export interface OracleRequest {
  op: 'read' | 'write';
  offset: number;
  length: number;
}

export interface OracleSequence {
  name: string;
  description: string;
  requests: OracleRequest[];
}

/** The sequences both sides replay; `n` requests each (the sequential one: two passes). */
export function oracleSequences(n = 1500): OracleSequence[] {
  const blocks = ORACLE_IMAGE.size / BLOCK;
  const reads = randomOffsets(n, blocks, BLOCK, 0x51ed270b);
  const mixOffsets = randomOffsets(n, blocks, BLOCK, 0x2545f491);
  const mixOps = randomOffsets(n, 100, 1, 0x6c8e9cf5);
  const step = 256 << 10;
  const passes = Array.from({ length: 2 * (ORACLE_IMAGE.size / step) }, (_, i) => (i * step) % ORACLE_IMAGE.size);
  return [
    {
      name: 'random-read',
      description: `${n} random 4 KiB reads over ${ORACLE_IMAGE.size >> 20} MiB (${ORACLE_IMAGE.size / TABLE_SPAN} table spans, ${ORACLE_TABLES} with a table)`,
      requests: Array.from(reads, (offset) => ({ op: 'read', offset, length: BLOCK })),
    },
    {
      name: 'sequential-read',
      description: `4 KiB reads every ${step >> 10} KiB, two passes over the disk`,
      requests: passes.map((offset) => ({ op: 'read', offset, length: BLOCK })),
    },
    {
      name: 'mixed',
      description: `${n} random 4 KiB requests, 70% reads, 30% writes (allocating in existing tables, and making new ones)`,
      requests: Array.from(mixOffsets, (offset, i) => ({ op: mixOps[i] < 70 ? 'read' : 'write', offset, length: BLOCK })),
    },
  ];
}

/** The oracle image: one cluster written in each of the first ORACLE_TABLES table spans. */
export async function buildOracleImage(file: string): Promise<void> {
  await createImageFile(file, { ...ORACLE_IMAGE });
  const img = await openImageFile(file);
  try {
    const data = new Uint8Array(BLOCK).fill(0x3c);
    for (let t = 0; t < ORACLE_TABLES; t++) await img.write(data, t * TABLE_SPAN + BLOCK * (t % 7));
  } finally {
    await img.close();
  }
}

/** L2 tables our engine loads from disk replaying `requests` one at a time (default: QEMU's cache). */
export async function ourL2Loads(file: string, requests: readonly OracleRequest[], cache: L2CacheSettings = QEMU_CACHE): Promise<number> {
  const img = await openImageFile(file, { l2Cache: cache });
  try {
    const buf = new Uint8Array(BLOCK).fill(0x7e);
    for (const r of requests) {
      const b = r.length === BLOCK ? buf : new Uint8Array(r.length).fill(0x7e);
      if (r.op === 'read') await img.read(b, r.offset);
      else await img.write(b, r.offset);
    }
    return img.stats.metadataReads.l2Table.ops;
  } finally {
    await img.close();
  }
}

/**
 * L2 tables QEMU loads replaying `requests` with qemu-io's synchronous commands (one request
 * completes before the next starts), counted from the qed_read_table trace events on stderr:
 * every table read except the L1 table's.
 */
export async function qemuL2Loads(file: string, requests: readonly OracleRequest[]): Promise<{ l2Loads: number; l1Reads: number }> {
  const hdr = Buffer.alloc(48);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, hdr, 0, 48, 0);
  } finally {
    fs.closeSync(fd);
  }
  const l1Offset = Number(hdr.readBigUInt64LE(40));
  const args = ['-f', 'qed', '-T', 'qed_read_table'];
  for (const r of requests) args.push('-c', r.op === 'read' ? `read ${r.offset} ${r.length}` : `write -P 0x7e ${r.offset} ${r.length}`);
  args.push(file);
  const res = await runTool('qemu-io', args, 120_000);
  const done = (res.stdout.match(/^(read|wrote) \d+\/\d+ bytes at offset \d+$/gm) ?? []).length;
  if (res.code !== 0 || done !== requests.length) {
    const tail = (res.stdout + res.stderr).split('\n').filter((l) => !l.startsWith('qed_')).slice(-5).join('\n  ');
    throw new Error(`qemu-io completed ${done} of ${requests.length} requests (exit ${res.code}) on ${file}:\n  ${tail}`);
  }
  let l2Loads = 0;
  let l1Reads = 0;
  for (const m of res.stderr.matchAll(/^(?:\d+@[\d.]+:)?qed_read_table .*?\boffset (\d+)/gm)) {
    if (Number(m[1]) === l1Offset) l1Reads++;
    else l2Loads++;
  }
  return { l2Loads, l1Reads };
}

export interface L2LoadComparison {
  sequence: string;
  description: string;
  requests: number;
  ours: number;
  qemu: number;
  qemuL1Reads: number;
}

/** Replay one sequence on two copies of the oracle image (one per side), so writes cannot leak across. */
export async function compareL2Loads(dir: string, image: string, seq: OracleSequence): Promise<L2LoadComparison> {
  const mine = path.join(dir, `ours-${seq.name}.qed`);
  const theirs = path.join(dir, `qemu-${seq.name}.qed`);
  fs.copyFileSync(image, mine);
  fs.copyFileSync(image, theirs);
  try {
    const ours = await ourL2Loads(mine, seq.requests);
    const q = await qemuL2Loads(theirs, seq.requests);
    return { sequence: seq.name, description: seq.description, requests: seq.requests.length, ours, qemu: q.l2Loads, qemuL1Reads: q.l1Reads };
  } finally {
    fs.rmSync(mine, { force: true });
    fs.rmSync(theirs, { force: true });
  }
}
