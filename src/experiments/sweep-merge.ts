/**
 * Joining the shard files of one sweep (`sweep --shard i/n`, then `qed-bench merge`) into one
 * sweep results file; refusals are SweepMergeErrors naming the file and the fix.
 */
import type { SweepResults } from '../metrics/sweep-results.js';
import { cellLabel, sweepGrid, sweepWorkloadHash, type Shard, type SweepCell, type SweepRun } from './sweep.js';

/** Shards that cannot be joined: of different sweeps, a cell twice, cells missing. */
export class SweepMergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SweepMergeError';
  }
}

/** How many missing cells an error names; the rest are counted. */
const LISTED_MISSING = 8;

/**
 * Shards of one sweep, joined: runs in grid order, every shard listed. Refuses files of another
 * workload or grid, a cell in two places, and (unless allowMissing) a grid with cells in no file.
 */
export function mergeSweeps(inputs: Array<{ file: string; data: SweepResults }>, allowMissing: boolean): SweepResults {
  if (inputs.length === 0) throw new SweepMergeError('merge: name at least one sweep file');
  const twice = inputs.find((x, i) => inputs.findIndex((y) => y.file === x.file) !== i);
  if (twice) throw new SweepMergeError(`${twice.file}: given twice; name each shard file once`);
  const first = inputs[0];
  const f0 = first.data.sweep;
  let reference: { file: string; hash: string } | null = null;
  const where = new Map<string, string>();
  const runs: SweepRun[] = [];
  for (const { file, data } of inputs) {
    const s = data.sweep;
    const differs = (what: string, a: unknown, b: unknown): SweepMergeError =>
      new SweepMergeError(`${file}: a different sweep than ${first.file} (${what} ${JSON.stringify(a)}, not ${JSON.stringify(b)}); merge only the shards of one sweep command`);
    if (s.workload !== f0.workload) throw differs('workload', s.workload, f0.workload);
    if (JSON.stringify(s.sizes) !== JSON.stringify(f0.sizes)) throw differs('cache sizes', s.sizes, f0.sizes);
    if (JSON.stringify(s.policies) !== JSON.stringify(f0.policies)) throw differs('policies', s.policies, f0.policies);
    if (s.timing !== f0.timing) throw differs('scheduler', s.timing, f0.timing);
    for (const r of data.runs) {
      const hash = sweepWorkloadHash(r.results);
      reference ??= { file, hash };
      if (hash !== reference.hash) {
        throw new SweepMergeError(
          `${file}: its runs replay a different workload than those of ${reference.file} (the workload hashes differ, cache size and policy aside: ` +
            `another seed, --set, workload file or qed-bench version?); merge only the shards of one sweep command`,
        );
      }
      if (!f0.sizes.includes(r.size) || !f0.policies.includes(r.policy)) throw new SweepMergeError(`${file}: holds a run (${cellLabel(r)}) outside its own grid`);
      const key = `${r.size}/${r.policy}`;
      const seen = where.get(key);
      if (seen !== undefined) {
        throw new SweepMergeError(`${file}: the cell ${cellLabel(r)} is also in ${seen === file ? 'this file' : seen}; each cell must come from one shard (were two files written by the same shard?)`);
      }
      where.set(key, file);
      runs.push(r);
    }
  }
  const grid = sweepGrid(f0.sizes, f0.policies);
  const order = new Map(grid.map((c, k) => [`${c.size}/${c.policy}`, k]));
  runs.sort((a, b) => order.get(`${a.size}/${a.policy}`)! - order.get(`${b.size}/${b.policy}`)!);
  const missing = grid.filter((c) => !where.has(`${c.size}/${c.policy}`));
  if (missing.length && !allowMissing) throw missingError(missing, grid.length, inputs);
  return {
    ...first.data,
    sweep: {
      ...f0,
      shards: mergedShards(inputs.map((x) => x.data.sweep.shards)),
      jobs: Math.max(...inputs.map((x) => x.data.sweep.jobs)),
      elapsedMs: inputs.reduce((t, x) => t + x.data.sweep.elapsedMs, 0),
      status: inputs.every((x) => x.data.sweep.status === 'completed') ? 'completed' : 'interrupted',
    },
    runs,
  };
}

/** Every input's shards (an unsharded file counts as 1/1), once each, by count then index. */
function mergedShards(lists: Array<Shard[] | null>): Shard[] {
  const all = lists.flatMap((l) => l ?? [{ index: 1, count: 1 }]);
  const unique = [...new Map(all.map((s) => [`${s.index}/${s.count}`, { index: s.index, count: s.count }])).values()];
  return unique.sort((a, b) => a.count - b.count || a.index - b.index);
}

function missingError(missing: SweepCell[], total: number, inputs: Array<{ data: SweepResults }>): SweepMergeError {
  const listed = missing.slice(0, LISTED_MISSING).map((c) => `${c.size} × ${c.policy}`).join(', ');
  const more = missing.length > LISTED_MISSING ? `, ... (${missing.length - LISTED_MISSING} more)` : '';
  // With one shard count throughout, name the shards not given.
  const counts = new Set(inputs.flatMap((x) => (x.data.sweep.shards ?? []).map((s) => s.count)));
  let hint = '';
  if (counts.size === 1) {
    const n = [...counts][0];
    const have = new Set(inputs.flatMap((x) => (x.data.sweep.shards ?? []).map((s) => s.index)));
    const absent = Array.from({ length: n }, (_, i) => i + 1).filter((i) => !have.has(i));
    if (absent.length) hint = ` (shard${absent.length > 1 ? 's' : ''} ${absent.map((i) => `${i}/${n}`).join(', ')} not given)`;
  }
  return new SweepMergeError(
    `merge: ${missing.length} of ${total} cells are in none of the files${hint}: ${listed}${more}; add the missing shard files, or pass --allow-missing to merge what is there`,
  );
}
