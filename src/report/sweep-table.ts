/** The terminal summary of a sweep: the size × policy table and the integrity verdicts. */
import { UNSAFE_POLICIES } from '../cache/policies/index.js';
import type { RunResults } from '../metrics/results.js';
import { CACHE_ONLY_SUFFIX, type SweepResults } from '../metrics/sweep-results.js';
import { table } from './text-table.js';

/** One cell of the sweep table: hit rate / metadata reads per 1000 requests / +peak over capacity. */
export function sweepCell(r: RunResults): string {
  const t = r.total;
  return `${(t.hitRate * 100).toFixed(1)}% / ${t.metadataReadsPer1000.toFixed(1)} / +${t.peakOverCapacity}`;
}

/**
 * The terminal summary of a sweep: a header line, a table (rows: cache sizes; columns: policies;
 * `-` for a cell this file does not hold), and the integrity verdicts.
 */
export function formatSweep(r: SweepResults): string {
  const s = r.sweep;
  const byCell = new Map(r.runs.map((x) => [`${x.size}/${x.policy}`, x.results]));
  const cells = s.sizes.length * s.policies.length;
  const workers = s.jobs === 1 ? '1 process' : `${s.jobs} workers`;
  // A cache-only sweep has neither engine nor scheduler: its file says "deterministic" because it repeats exactly.
  const how = isCacheOnly(r) ? 'no engine: every table id one lookup' : `${s.timing} scheduler`;
  const lines = [
    `sweep ${s.workload}: ${count(s.sizes.length, 'cache size')} × ${count(s.policies.length, 'policy', 'policies')}; ${r.runs.length} of ${cells} runs, ${how}, ` +
      `${workers}, ${(s.elapsedMs / 1000).toFixed(1)} s${shardNote(s.shards)}${s.status === 'interrupted' ? '  [INTERRUPTED]' : ''}`,
    '',
    'each cell: hit rate / metadata reads per 1000 requests / + peak entries over capacity',
  ];
  const rows = s.sizes.map((size) => [String(size), ...s.policies.map((p) => {
    const res = byCell.get(`${size}/${p}`);
    return res ? sweepCell(res) : '-';
  })]);
  lines.push(...table(['size', ...s.policies], rows), '');
  lines.push(...integrityLines(r));
  return lines.join('\n');
}

/** One line per run whose integrity failed, else one line saying all passed (or were not verified). */
export function integrityLines(r: SweepResults): string[] {
  if (r.runs.length === 0) return ['integrity: no runs in this file'];
  if (isCacheOnly(r)) return ['integrity: not checked (cache only: no image, no data)'];
  const failed = r.runs.filter((x) => x.results.integrity.verdict === 'failed');
  if (failed.length === 0) {
    const skipped = r.runs.filter((x) => x.results.integrity.verdict === 'skipped').length;
    const metadata = r.runs.filter((x) => x.results.image?.store === 'metadata').length;
    if (skipped === r.runs.length && skipped > 0) {
      const why = metadata === skipped ? 'skipped (metadata-only with --no-verify: mapping check not run)' : metadata === 0 ? 'not verified (--no-verify)' : 'not verified (--no-verify or metadata-only)';
      return [`integrity: ${why}`];
    }
    const level = metadata > 0 ? (metadata === r.runs.length ? ' (metadata-only: at the mapping level)' : ` (${metadata} metadata-only: at the mapping level)`) : '';
    return [`integrity: passed in ${r.runs.length - skipped === 1 ? 'its 1 run' : `all ${r.runs.length - skipped} runs`}${level}${skipped ? ` (${skipped} not verified)` : ''}`];
  }
  return failed.map(({ size, policy, results }) => {
    const i = results.integrity;
    const known = UNSAFE_POLICIES.has(policy) ? ' (known unsafe policy)' : '';
    const v = i.violations[0];
    const first = v ? `; first: ${v.kind} at offset ${v.offset} (${v.sectors} sectors, ${v.during})` : '';
    return `size ${size} × ${policy}: integrity FAILED${known}: lost ${i.lostWrites}, stale ${i.staleReads}, corrupt ${i.corruptSectors}, unexpected ${i.unexpectedData} sectors${first}`;
  });
}

/** A sweep of a table stream through the caches alone (`sweep X.tables`, `--cache-only`). */
function isCacheOnly(r: SweepResults): boolean {
  return r.sweep.workload.endsWith(CACHE_ONLY_SUFFIX);
}

function shardNote(shards: SweepResults['sweep']['shards']): string {
  if (!shards) return '';
  const list = shards.map((x) => `${x.index}/${x.count}`).join(', ');
  return shards.length === 1 ? `  [shard ${list}]` : `  [shards ${list} merged]`;
}

const count = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
