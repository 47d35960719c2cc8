/** The consistency check (and repair) of an image, counting as `qemu-img check` does. */
import type { BlockBackend } from '../io/backend.js';
import { L2_UNALLOCATED, L2_ZERO, u64Text, type Geometry, type QedHeader } from './format.js';
import { decodeTable, encodeEntries, type Table } from './table.js';

/** Counts as `qemu-img check` reports them, plus where each problem is. */
export interface CheckResult {
  totalClusters: number;
  allocatedClusters: number;
  fragmentedClusters: number;
  corruptions: number;
  corruptionsFixed: number;
  leaks: number;
  checkErrors: number;
  findings: CheckFinding[];
}

export interface CheckFinding {
  kind: 'invalid-l1-entry' | 'invalid-l2-entry' | 'double-reference' | 'leak' | 'read-error';
  /** Where: "l1[3]", "l2@327680[17]", "cluster@655360". */
  where: string;
  message: string;
  fixed: boolean;
}

export interface CheckTarget {
  io: BlockBackend;
  geometry: Geometry;
  header: QedHeader;
  /** The in-memory L1 table; repair edits it in place. */
  l1: Table;
  /** The L1 table's bytes as read, for entries past 2^53 in messages. */
  l1Bytes: Uint8Array;
  fileLength: number;
}

/** Findings listed per kind at most this many times (the counts stay exact). */
const MAX_FINDINGS_PER_KIND = 100;

/**
 * Mark every cluster the tables reference. Invalid offsets are corruptions (repair zeroes the
 * entry and rewrites the table); a cluster referenced twice is a corruption that cannot be
 * repaired; clusters past the header that nothing references are leaks (counted only).
 */
export async function runCheck(t: CheckTarget, repair: boolean): Promise<CheckResult> {
  const g = t.geometry;
  const fileEnd = g.clusterFloor(t.fileLength);
  const nclusters = fileEnd / g.clusterSize;
  const used = new Uint8Array(nclusters);
  const r: CheckResult = {
    totalClusters: Math.ceil(t.header.imageSize / g.clusterSize),
    allocatedClusters: 0,
    fragmentedClusters: 0,
    corruptions: 0,
    corruptionsFixed: 0,
    leaks: 0,
    checkErrors: 0,
    findings: [],
  };
  const perKind = new Map<string, number>();
  const note = (kind: CheckFinding['kind'], where: string, message: string, fixed = false): void => {
    const n = perKind.get(kind) ?? 0;
    perKind.set(kind, n + 1);
    if (n < MAX_FINDINGS_PER_KIND) r.findings.push({ kind, where, message, fixed });
  };
  /** Mark `n` clusters from `off`; each one already marked is a corruption (as QEMU counts). */
  const mark = (off: number, n: number, where: string): boolean => {
    const first = off / g.clusterSize;
    let twice = 0;
    for (let i = first; i < first + n; i++) {
      if (used[i]) {
        twice++;
        note('double-reference', where, `cluster at ${i * g.clusterSize} (referenced from ${where}) is referenced more than once`);
      }
      used[i] = 1;
    }
    r.corruptions += twice;
    return twice === 0;
  };

  mark(t.header.l1TableOffset, g.tableSize, 'header.l1_table_offset');
  let l1Fixed = false;
  // One table's bytes and entries at a time (a fresh pair per table was 0.5 MiB of garbage each at 64 KiB clusters).
  const buf = new Uint8Array(g.tableBytes);
  let table: Table | undefined;

  for (let i = 0; i < t.l1.length; i++) {
    const l2off = t.l1[i];
    if (l2off === L2_UNALLOCATED) continue;
    const where = `l1[${i}]`;
    if (!g.validTableOffset(l2off, fileEnd)) {
      const msg = `L1 entry ${i} points to ${u64Text(l2off, t.l1Bytes, i * 8)}, not a valid L2 table offset (aligned to ${g.clusterSize}, past the header, whole table before ${fileEnd})`;
      if (repair) {
        t.l1[i] = L2_UNALLOCATED;
        l1Fixed = true;
        r.corruptionsFixed++;
      } else {
        r.corruptions++;
      }
      note('invalid-l1-entry', where, msg, repair);
      continue;
    }
    if (!mark(l2off, g.tableSize, where)) continue; // do not trust a table that overlaps others
    try {
      await t.io.read(buf, l2off, 'check_read');
    } catch (err) {
      r.checkErrors++;
      note('read-error', where, `cannot read L2 table at ${l2off}: ${(err as Error).message}`);
      continue;
    }
    table = decodeTable(buf, table);
    const invalid = checkL2(table, buf, l2off, g, fileEnd, repair, r, mark, note);
    if (invalid > 0 && repair) {
      await t.io.write(encodeEntries(table, 0, table.length), l2off, 'check_repair');
    }
  }

  if (l1Fixed) {
    await t.io.write(encodeEntries(t.l1, 0, t.l1.length), t.header.l1TableOffset, 'check_repair');
  }
  // Leaks are only meaningful when every table was read.
  for (let c = t.header.headerSize; r.checkErrors === 0 && c < nclusters; c++) {
    if (!used[c]) {
      r.leaks++;
      note('leak', `cluster@${c * g.clusterSize}`, `cluster at ${c * g.clusterSize} is not referenced by any table`);
    }
  }
  return r;
}

/** Check one L2 table's entries; returns how many were invalid. */
function checkL2(
  table: Table,
  /** The table as read, for entries past 2^53 in messages. */
  bytes: Uint8Array,
  l2off: number,
  g: Geometry,
  fileEnd: number,
  repair: boolean,
  r: CheckResult,
  mark: (off: number, n: number, where: string) => boolean,
  note: (kind: CheckFinding['kind'], where: string, message: string, fixed?: boolean) => void,
): number {
  let invalid = 0;
  let last = 0;
  for (let j = 0; j < table.length; j++) {
    const off = table[j];
    if (off === L2_UNALLOCATED || off === L2_ZERO) continue;
    r.allocatedClusters++;
    if (last !== 0 && last + g.clusterSize !== off) r.fragmentedClusters++;
    last = off;
    const where = `l2@${l2off}[${j}]`;
    if (!g.validClusterOffset(off, fileEnd)) {
      invalid++;
      const msg = `L2 table at ${l2off} entry ${j} points to ${u64Text(off, bytes, j * 8)}, not a valid cluster offset (aligned to ${g.clusterSize}, past the header, before ${fileEnd})`;
      if (repair) {
        table[j] = L2_UNALLOCATED;
        r.corruptionsFixed++;
      } else {
        r.corruptions++;
      }
      note('invalid-l2-entry', where, msg, repair);
      continue;
    }
    mark(off, 1, where);
  }
  return invalid;
}
