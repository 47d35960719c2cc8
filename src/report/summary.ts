/** The terminal summary of one run (`qed-bench run`). */
import type { PhaseMetrics } from '../metrics/phase.js';
import type { RunResults } from '../metrics/results.js';
import { table } from './text-table.js';

/** A plain-text table of one run, for the terminal. */
export function formatSummary(r: RunResults): string {
  const w = r.workload;
  const lines: string[] = [];
  lines.push(`${w.name}: cache ${w.cache.size} tables, policy ${w.cache.policy},${w.engine.allocation === 'parallel' ? ' parallel allocation,' : ''} seed ${w.seed}, image ${bytes(w.image.size)} (cluster ${bytes(w.image.clusterSize)}, table ${w.image.tableSize}), ${r.timing} timing${r.status === 'interrupted' ? '  [INTERRUPTED]' : ''}`);
  lines.push('');
  const rows = [...r.phases, r.total].map(phaseRow);
  lines.push(...table(['phase', 'requests', 'hit rate', 'md reads/1k', 'md writes/1k', 'peak entries', 'peak over cap', 'reqs over cap', 'errors'], rows));
  lines.push('');
  const opRows: string[][] = [];
  for (const p of [...r.phases, r.total]) {
    for (const [op, m] of Object.entries(p.ops)) {
      if (m.ops === 0) continue;
      opRows.push([p.name, op, String(m.ops), num(m.iops, 0), num(m.mbPerSec, 1), us(m.latency.p50), us(m.latency.p99), us(m.latency.p999), us(m.latency.maxNs)]);
    }
  }
  lines.push(...table(['phase', 'op', 'ops', 'IOPS', 'MB/s', 'p50 µs', 'p99 µs', 'p99.9 µs', 'max µs'], opRows));
  lines.push('');
  lines.push(integrityLine(r));
  return lines.join('\n');
}

function phaseRow(p: PhaseMetrics): string[] {
  const errors = Object.entries(p.errorsByCode).map(([k, v]) => `${k}:${v}`).join(' ') || '0';
  return [
    p.name,
    String(p.requests),
    pct(p.hitRate),
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
    `${i.readsVerified} reads verified, ${i.sectorsVerified} sectors checked`,
    `sectors: stale ${i.staleReads}, lost ${i.lostWrites}, corrupt ${i.corruptSectors}, unexpected ${i.unexpectedData}`,
  ];
  if (i.check) parts.push(`check: ${i.check.corruptions} corruptions, ${i.check.leaks} leaks`);
  const q = i.qemuCheck;
  parts.push(!q ? 'qemu-img check: not run' : q.error ? `qemu-img check: could not check (${q.error})` : `qemu-img check: exit ${q.exitCode}, ${q.corruptions} corruptions, ${q.leaks} leaks`);
  const first = i.violations[0];
  const detail = first ? `\n  first violation: ${first.kind} at offset ${first.offset} (${first.sectors} sectors, ${first.during}): expected ${first.expected}, found ${first.found}` : '';
  return parts.join('; ') + detail;
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
const num = (x: number, d: number): string => x.toFixed(d);
const us = (ns: number): string => (ns / 1000).toFixed(1);

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1 && n % 1024 === 0) {
    n /= 1024;
    i++;
  }
  return `${n} ${units[i]}`;
}
