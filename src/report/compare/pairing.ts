/**
 * Which baseline run is compared with which current run: the pairs the user names
 * (`--pair A=B`), then runs with the same workload name, cache size and policy, then, when each
 * side holds one run, those two whatever their configuration (the cache-8 vs cache-50 question).
 * Paired runs that differ in configuration carry the difference, shown above their table.
 */
import { differingLeaves } from '../../metrics/diff.js';
import type { RepeatedResults } from '../../metrics/repeats.js';
import type { RunEntry, RunSet } from './inputs.js';

export interface RunPair {
  b: RunEntry;
  c: RunEntry;
  /** "cache.size: 8 → 50", one line per differing setting; empty when the runs match by id. */
  configuration: string[];
}

export interface Pairing {
  pairs: RunPair[];
  /** Baseline runs left without a counterpart, and current runs no baseline run took. */
  baseOnly: RunEntry[];
  curOnly: RunEntry[];
  /** Bad --pair selectors. */
  errors: string[];
}

export function pairRuns(base: RunSet, cur: RunSet, explicit: Array<[string, string]> = []): Pairing {
  const pairs: RunPair[] = [];
  const errors: string[] = [];
  const takenB = new Set<RunEntry>();
  const takenC = new Set<RunEntry>();
  for (const [a, z] of explicit) {
    const b = select(base, a, errors);
    const c = select(cur, z, errors);
    if (!b || !c) continue;
    if (takenB.has(b) || takenC.has(c)) {
      errors.push(`--pair ${a}=${z}: a run may be paired only once`);
      continue;
    }
    takenB.add(b);
    takenC.add(c);
    pairs.push({ b, c, configuration: configurationDifference(b.results, c.results) });
  }
  const byId = new Map(cur.runs.filter((r) => !takenC.has(r)).map((r) => [r.id, r]));
  for (const b of base.runs) {
    if (takenB.has(b)) continue;
    const c = byId.get(b.id);
    if (!c) continue;
    takenB.add(b);
    takenC.add(c);
    pairs.push({ b, c, configuration: configurationDifference(b.results, c.results) });
  }
  let baseOnly = base.runs.filter((r) => !takenB.has(r));
  let curOnly = cur.runs.filter((r) => !takenC.has(r));
  if (!explicit.length && base.runs.length === 1 && cur.runs.length === 1 && baseOnly.length === 1 && curOnly.length === 1) {
    pairs.push({ b: baseOnly[0], c: curOnly[0], configuration: configurationDifference(baseOnly[0].results, curOnly[0].results) });
    baseOnly = [];
    curOnly = [];
  }
  return { pairs, baseOnly, curOnly, errors };
}

/** A run by its id (`name/size/policy`) or by its workload name when that is unique on its side. */
function select(set: RunSet, selector: string, errors: string[]): RunEntry | undefined {
  const byId = set.runs.find((r) => r.id === selector);
  if (byId) return byId;
  const byName = set.runs.filter((r) => r.name === selector);
  if (byName.length === 1) return byName[0];
  const ids = set.runs.map((r) => r.id).join(', ');
  errors.push(
    byName.length
      ? `--pair: "${selector}" names ${byName.length} runs in ${set.source}; give one as name/size/policy (${byName.map((r) => r.id).join(', ')})`
      : `--pair: no run "${selector}" in ${set.source} (its runs: ${ids})`,
  );
  return undefined;
}

/** What the workloads (and timing) of two runs set differently, as "field: before → after". */
export function configurationDifference(b: RepeatedResults, c: RepeatedResults): string[] {
  const strip = (r: RepeatedResults) => {
    const { hash: _h, source: _s, description: _d, ...rest } = r.workload as unknown as Record<string, unknown>;
    return rest;
  };
  const out = differingLeaves(strip(b), strip(c), { limit: 12 }).map((d) => `${d.path}: ${show(d.a)} → ${show(d.b)}`);
  if (b.timing !== c.timing) out.push(`timing: ${b.timing} → ${c.timing}`);
  return out;
}

function show(x: unknown): string {
  return x === undefined ? '(unset)' : typeof x === 'string' ? x : JSON.stringify(x);
}
