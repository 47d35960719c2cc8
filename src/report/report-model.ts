/**
 * The runs of a report arranged as its charts need them: per workload, the grid of cache sizes
 * × policies, a stable colour slot per policy, and the run shown over time.
 */
import { ReportInputError, type ReportRun } from './report-inputs.js';

export interface WorkloadGroup {
  name: string;
  runs: ReportRun[];
  /** Ascending. */
  sizes: number[];
  /** In order of first appearance (grid order of a sweep). */
  policies: string[];
}

/** Runs grouped by workload name, groups and runs in input order. */
export function groupByWorkload(runs: ReportRun[]): WorkloadGroup[] {
  const groups = new Map<string, ReportRun[]>();
  for (const r of runs) groups.set(r.workload, [...(groups.get(r.workload) ?? []), r]);
  return [...groups].map(([name, rs]) => ({
    name,
    runs: rs,
    sizes: [...new Set(rs.map((r) => r.size))].sort((a, b) => a - b),
    policies: [...new Set(rs.map((r) => r.policy))],
  }));
}

/** Every policy of the report in order of first appearance: its index is its colour everywhere. */
export function policyOrder(runs: ReportRun[]): string[] {
  return [...new Set(runs.map((r) => r.policy))];
}

/** The run of a grid cell (the first, when several files hold the same cell). */
export function cell(g: WorkloadGroup, size: number, policy: string): ReportRun | undefined {
  return g.runs.find((r) => r.size === size && r.policy === policy);
}

/** Runs that fill a grid cell another run already filled: charts show the first. */
export function duplicateWarnings(groups: WorkloadGroup[]): string[] {
  const out: string[] = [];
  for (const g of groups) {
    const seen = new Map<string, ReportRun>();
    for (const r of g.runs) {
      const key = `${r.size}/${r.policy}`;
      const first = seen.get(key);
      if (first) out.push(`${r.source}: ${runName(r)} is also in ${first.source}; the charts show the first`);
      else seen.set(key, r);
    }
  }
  return out;
}

/** How --run names a run: workload/size/policy. */
export function runName(r: ReportRun): string {
  return `${r.workload}/${r.size}/${r.policy}`;
}

/** For people: "mixed-parallel · 16 tables · lru". */
export function runLabel(r: ReportRun): string {
  return `${r.workload} · ${r.size} tables · ${r.policy}`;
}

/**
 * The run whose cache entries are drawn over time. `spec` (--run) is a workload name, or terms
 * joined by "/" that each match a run's workload name, cache size or policy ("lru/16",
 * "mixed-parallel/16/lru"). Among the matches (or all runs) the one with the largest peak over
 * capacity wins: that is the run whose growth past capacity is worth seeing; ties keep input order.
 */
export function selectRun(runs: ReportRun[], spec?: string): { run: ReportRun; why: string } {
  let pool = runs;
  if (spec !== undefined) {
    const byName = runs.filter((r) => r.workload === spec);
    const terms = spec.split('/').filter(Boolean);
    pool = byName.length ? byName : runs.filter((r) => terms.length > 0 && terms.every((t) => t === r.workload || t === r.policy || t === String(r.size)));
    if (!pool.length) {
      const names = runs.slice(0, 6).map(runName).join(', ');
      throw new ReportInputError(`--run ${JSON.stringify(spec)}: no run matches; name a run as workload/size/policy or any part of that (e.g. "lru/16"); these inputs hold ${runs.length} run${runs.length === 1 ? '' : 's'}: ${names}${runs.length > 6 ? ', ...' : ''}`);
    }
  }
  let best = pool[0];
  for (const r of pool) if (r.results.total.peakOverCapacity > best.results.total.peakOverCapacity) best = r;
  const peak = `peak over capacity ${best.results.total.peakOverCapacity}`;
  const why = spec === undefined
    ? pool.length > 1 ? `the run with the largest ${peak} (choose another with --run workload/size/policy)` : `the only run (${peak})`
    : pool.length > 1 ? `--run ${spec}: of ${pool.length} matching runs, the one with the largest ${peak}` : `--run ${spec} (${peak})`;
  return { run: best, why };
}
