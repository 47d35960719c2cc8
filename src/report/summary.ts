/** The terminal summary of one run (`qed-bench run`). */
import type { PhaseMetrics } from '../metrics/phase.js';
import type { RecoveryReport } from '../metrics/recovery.js';
import type { RunResults } from '../metrics/results.js';
import { table } from './text-table.js';
import { duration } from './report-format.js';

/** A plain-text table of one run, for the terminal: every column named in full or explained below. */
export function formatSummary(r: RunResults): string {
  const w = r.workload;
  const lines: string[] = [];
  lines.push(`${w.name}: cache ${w.cache.size} tables, policy ${w.cache.policy},${w.engine.allocation === 'parallel' ? ' parallel allocation,' : ''} seed ${w.seed}, image ${bytes(w.image.size)} (cluster ${bytes(w.image.clusterSize)}, table ${w.image.tableSize}), ${r.timing} timing${r.image.io ? `, io ${r.image.io.io} (${r.image.io.reason}), cache ${r.image.io.cache}` : ''}${r.status === 'interrupted' ? '  [INTERRUPTED]' : ''}`);
  lines.push('');
  const rows = [...r.phases, r.total].map(phaseRow);
  lines.push(...table(['phase', 'requests', 'L2 lookups', 'hit rate', 'new tables', 'md reads/1k req', 'md writes/1k req', 'peak entries', 'peak over cap', 'reqs over cap', 'errors'], rows));
  lines.push(...LEGEND);
  lines.push('');
  const opRows: string[][] = [];
  for (const p of [...r.phases, r.total]) {
    for (const [op, m] of Object.entries(p.ops)) {
      if (m.ops === 0) continue;
      // A flush moves no bytes and its rate says nothing: its count and latencies do.
      const rate = op === 'flush' ? ['-', '-'] : [num(m.iops, 0), num(m.mbPerSec, 1)];
      opRows.push([p.name, op, String(m.ops), ...rate, duration(m.latency.meanNs), duration(m.latency.p50), duration(m.latency.p99), duration(m.latency.p999), duration(m.latency.maxNs)]);
    }
  }
  lines.push(r.timing === 'virtual' ? 'latency in virtual time (the deterministic scheduler\'s clock, drawn from its latency model; not measured):' : 'latency (wall-clock, measured):');
  lines.push(...table(['phase', 'op', 'ops', 'IOPS', 'MB/s', 'mean', 'p50', 'p99', 'p99.9', 'max'], opRows));
  lines.push(OPS_LEGEND);
  lines.push('');
  if (r.recovery) lines.push(recoveryLine(r.recovery));
  lines.push(integrityLine(r));
  return lines.join('\n');
}

/** A power-cut run: where the cut fell and what recovery found (the leaks qemu-img check then reports come from here). */
function recoveryLine(x: RecoveryReport): string {
  const at = x.cutAt;
  const where = at.afterReplay
    ? 'after the replay (its trigger was never reached)'
    : `after ${at.requests} requests (${at.backendRequests} backend requests${at.event ? `, at ${at.event}` : ''})`;
  return [
    `power cut: ${where}, ${x.writesUndone} unflushed writes undone (${x.sectorsTorn} sectors torn)`,
    `reopened ${x.needCheck ? 'with need-check set, checked and repaired' : 'clean'}: ${x.corruptionsFound} corruptions found, ${x.corruptionsFixed} fixed, ${x.leaks} leaked clusters (allowed)`,
    `writes lost: ${x.lostFlushedWrites} flushed (must be 0), ${x.lostUnflushedWrites} unflushed (allowed)`,
    `recovery ${x.verdict.toUpperCase()}`,
  ].join('; ');
}

/** What the latency table's rates are over (a read's IOPS in a mixed phase is not the reads' own rate). */
const OPS_LEGEND = '  IOPS, MB/s: the op\'s requests and bytes (MB = 10^6 bytes) per second of the whole phase (total: of all phases); flush: count and latency only; mean..max: completion latency';

/** What the first table's columns mean, under it. */
const LEGEND = [
  '  L2 lookups: table lookups by requests; hit rate: share of them found in the cache (hits / (hits + misses));',
  '  new tables: L2 tables allocated by writes (neither hit nor miss); md reads/writes per 1000 requests: metadata (L1, L2) I/O;',
  '  peak entries: most tables cached at once; peak over cap: most above capacity (in-use tables are not evicted);',
  '  reqs over cap: requests completed while the cache was over capacity; errors: failed requests by errno',
];

function phaseRow(p: PhaseMetrics): string[] {
  const errors = Object.entries(p.errorsByCode).map(([k, v]) => `${k}:${v}`).join(' ') || '0';
  const looked = p.cache.hits + p.cache.misses;
  return [
    p.name,
    String(p.requests),
    String(looked),
    looked ? pct(p.hitRate) : 'n/a',
    String(p.engine.tablesAllocated),
    num(p.metadataReadsPer1000, 1),
    num(p.metadataWritesPer1000, 1),
    String(p.peakEntries),
    String(p.peakOverCapacity),
    String(p.requestsCompletedOverCapacity),
    errors,
  ];
}

/** A metadata-only store has no data bytes: integrity is checked at the mapping level, or skipped across a power cut. */
function metadataNote(r: RunResults): string {
  if (r.image?.store !== 'metadata') return '';
  return r.integrity.verdict === 'skipped' ? ' (metadata-only: no data bytes; mapping check not run (--no-verify), structural check only)' : ' (metadata-only: checked at the mapping level, every completed write still mapped)';
}

function integrityLine(r: RunResults): string {
  const i = r.integrity;
  const parts = [
    `integrity: ${i.verdict.toUpperCase()}${metadataNote(r)}`,
    r.image?.store === 'metadata'
      ? // The mapping check counts runs of clusters (a read can resolve to several) and whole written clusters' sectors.
        `${i.readsVerified} read runs checked (one per run of clusters a read resolved), ${i.sectorsVerified} sectors of written clusters checked still mapped`
      : `${i.readsVerified} reads verified, ${i.sectorsVerified} sectors checked`,
    `sectors: stale ${i.staleReads}, lost ${i.lostWrites}, corrupt ${i.corruptSectors}, unexpected ${i.unexpectedData}`,
  ];
  if (i.check) parts.push(`check: ${i.check.corruptions} corruptions, ${i.check.leaks} leaks`);
  const q = i.qemuCheck;
  parts.push(!q ? 'qemu-img check: not run' : q.error ? `qemu-img check: could not check (${q.error})` : `qemu-img check: exit ${q.exitCode}, ${q.corruptions} corruptions, ${q.leaks} leaks`);
  if (i.verdict === 'failed' && r.image.created && !r.image.kept && r.image.path !== '(memory)') parts.push('the image was removed (rerun with --keep-image to inspect it)');
  const first = i.violations[0];
  const detail = first ? `\n  first violation: ${first.kind} at offset ${first.offset} (${first.sectors} sectors, ${first.during}): expected ${first.expected}, found ${first.found}` : '';
  return parts.join('; ') + detail;
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
const num = (x: number, d: number): string => x.toFixed(d);

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1 && n % 1024 === 0) {
    n /= 1024;
    i++;
  }
  return `${n} ${units[i]}`;
}
