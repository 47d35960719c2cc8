/**
 * Cache sweeps: one workload replayed once per cache size × policy (a grid cell), on worker
 * threads or in-process, into one sweep results file. A cell is a pure function of (workload
 * text, overrides, size, policy) under the deterministic scheduler, so the file does not depend
 * on how many workers ran it, in which order, or how the grid was split into shards.
 */
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UNSAFE_POLICIES, type PolicyName } from '../cache/policies/index.js';
import { environment, gitCommit } from '../metrics/env.js';
import { buildResults, toolVersion, workloadHash, type RunResults } from '../metrics/results.js';
import { SWEEP_SCHEMA, type SweepResults } from '../metrics/sweep-results.js';
import { TaskError, errorNameOf, runTasks } from '../util/worker-pool.js';
import { parseWorkload } from '../workload/load.js';
import type { Workload } from '../workload/types.js';
import { runWorkload, type Progress } from '../replay/runner.js';
import { oneFreshRun, type OneRunCommand } from './stress.js';

export interface SweepCell {
  size: number;
  policy: string;
}

/** Which slice of the grid: cell k (0-based, grid order) belongs to shard (k mod count) + 1. */
export interface Shard {
  index: number;
  count: number;
}

export type SweepRun = SweepResults['runs'][number];

export interface SweepSpec {
  /** The workload file's text and its name (for messages and the results). */
  text: string;
  file: string;
  /** The user's --set overrides (the cell's are applied after them). */
  set: string[];
  /** The full grid: sizes ascending, policies in the order given. */
  sizes: number[];
  policies: string[];
  /** Null for the whole grid. */
  shard: Shard | null;
  /** 'deterministic' forces the deterministic scheduler; 'real' keeps the workload's own. */
  scheduler: 'deterministic' | 'real';
  /** Replay on in-memory images (default) or on files in temp directories. */
  memory: boolean;
  /** Move every byte in memory; otherwise (the default) in-memory cells keep metadata only unless the workload says image.store: full. */
  full?: boolean;
  verify: boolean;
  /** The miss-ratio curve's sampling rate (1 = exact). */
  sampleRate: number;
}

export interface SweepOptions {
  /** Worker threads; 1 runs in-process. */
  jobs: number;
  signal?: AbortSignal;
  onRun?: (run: SweepRun, done: number, total: number) => void;
  /** A cell's own progress while it runs (at most about twice a second per cell). */
  onCellProgress?: (cell: SweepCell, p: Progress) => void;
}

/** Every cell of the grid in grid order: sizes outer, policies inner. */
export function sweepGrid(sizes: readonly number[], policies: readonly string[]): SweepCell[] {
  return sizes.flatMap((size) => policies.map((policy) => ({ size, policy })));
}

/** The cells of `shard` (all of them for null), in grid order. */
export function shardCells(cells: readonly SweepCell[], shard: Shard | null): SweepCell[] {
  return shard ? cells.filter((_, k) => k % shard.count === shard.index - 1) : [...cells];
}

/** The overrides that make one cell, as `--set`s: ours after the user's, so ours win (sweepWorkload passes the cell typed). */
export function cellOverrides(set: readonly string[], cell: SweepCell, scheduler: SweepSpec['scheduler']): string[] {
  return [...schedulerOverrides(set, scheduler), `cache.size=${cell.size}`, `cache.policy=${cell.policy}`];
}

function schedulerOverrides(set: readonly string[], scheduler: SweepSpec['scheduler']): string[] {
  return [...set, ...(scheduler === 'deterministic' ? ['scheduler.mode=deterministic'] : [])];
}

export const cellLabel = (c: SweepCell): string => `cache.size=${c.size}, cache.policy=${c.policy}`;

/**
 * The grid a workload asks for without --cache-size/--policy: the sizes and policies of its
 * `matrix:` runs (after the user's overrides), else its single cache size and policy.
 */
export function workloadGrid(text: string, file: string, set: readonly string[]): { sizes: number[]; policies: string[] } {
  const ws = parseWorkload(text, file, { set });
  return {
    sizes: [...new Set(ws.map((w) => w.cache.size))].sort((a, b) => a - b),
    policies: [...new Set(ws.map((w) => w.cache.policy))],
  };
}

const SWEEP_COMMAND: OneRunCommand = { name: 'a sweep', per: 'cache size and policy', each: 'cell', example: 'phases[0].jobs[0].iodepth=8' };

/** Parse the workload for one cell; checks it is one run on a fresh image. Throws WorkloadError. */
export function sweepWorkload(spec: Pick<SweepSpec, 'text' | 'file' | 'set' | 'memory' | 'scheduler'>, cell: SweepCell): Workload {
  return oneFreshRun(spec, schedulerOverrides(spec.set, spec.scheduler), SWEEP_COMMAND, cell);
}

/** Replays one cell; `w` is its workload from sweepWorkload. A run that throws names its cell. */
export async function runCell(w: Workload, spec: Pick<SweepSpec, 'memory' | 'full' | 'verify' | 'sampleRate'>, report?: (p: Progress) => void): Promise<SweepRun> {
  const cell = { size: w.cache.size, policy: w.cache.policy };
  // A sweep's job is counters, and a metadata-only store gives the same ones in less memory.
  const store = spec.memory && !spec.full ? (w.image.store ?? 'metadata') : 'full';
  let last = 0;
  let stage = '';
  // Stage changes always, counts at most twice a second: progress crosses a thread boundary.
  const onProgress = report && ((p: Progress) => {
    const now = Date.now();
    if (`${p.stage}/${p.phase}` === stage && now - last < 500) return;
    stage = `${p.stage}/${p.phase}`;
    last = now;
    report(p);
  });
  try {
    const outcome = await runWorkload(w, { verify: spec.verify, qemuCheck: false, inMemory: spec.memory, store, missRatioCurve: { sampleRate: spec.sampleRate }, onProgress });
    if (!spec.memory && outcome.image.created && outcome.image.kept) await rm(dirname(outcome.image.path), { recursive: true, force: true });
    return { ...cell, results: buildResults(w, outcome) };
  } catch (err) {
    throw new TaskError(`${cellLabel(cell)}: ${err instanceof Error ? err.message : String(err)}`, errorNameOf(err));
  }
}

/** Run the cells of the spec's shard; bad input throws before any run starts. */
export async function sweep(spec: SweepSpec, opts: SweepOptions): Promise<SweepResults> {
  const started = performance.now();
  const cells = shardCells(sweepGrid(spec.sizes, spec.policies), spec.shard);
  // Parse every cell up front: errors surface once, here, not in a worker.
  const workloads = cells.map((c) => sweepWorkload(spec, c));
  // Cells differ only in cache size and policy: any one names the workload and its scheduler.
  const probe = workloads[0] ?? sweepWorkload(spec, { size: spec.sizes[0], policy: spec.policies[0] });
  const runs: SweepRun[] = [];
  const jobs = await runTasks({
    worker: new URL('./sweep-worker.js', import.meta.url),
    name: 'sweep worker',
    init: spec,
    tasks: cells,
    jobs: opts.jobs,
    signal: opts.signal,
    onResult: (r: SweepRun) => {
      runs.push(r);
      opts.onRun?.(r, runs.length, cells.length);
    },
    onProgress: (p, c) => opts.onCellProgress?.(c, p as Progress),
    inProcess: (c, report) => runCell(workloads[cells.indexOf(c)], spec, report),
  });
  const order = (r: SweepCell): number => spec.sizes.indexOf(r.size) * spec.policies.length + spec.policies.indexOf(r.policy);
  runs.sort((a, b) => order(a) - order(b));
  return {
    schema: SWEEP_SCHEMA,
    tool: { name: 'qed-bench', version: toolVersion(), gitCommit: gitCommit() },
    environment: environment(),
    sweep: {
      workload: probe.name,
      file: spec.file,
      set: spec.set,
      sizes: spec.sizes,
      policies: spec.policies,
      shards: spec.shard ? [spec.shard] : null,
      timing: probe.scheduler.mode === 'deterministic' ? 'deterministic' : 'real',
      jobs,
      elapsedMs: performance.now() - started,
      status: runs.length < cells.length ? 'interrupted' : 'completed',
    },
    runs,
  };
}

/**
 * What a run's workload is apart from its cell: the hash of its workload with cache size and
 * policy blanked. Every run of one sweep has the same; merge uses it to refuse mixing sweeps.
 */
export function sweepWorkloadHash(r: RunResults): string {
  const { hash: _hash, ...w } = r.workload;
  return workloadHash({ ...w, cache: { ...w.cache, size: 0, policy: '' as PolicyName } }); // blanked for the hash only
}

/** True when a run of a policy that must never lose data (all but UNSAFE_POLICIES) failed its integrity checks. */
export function safePolicyFailed(runs: readonly SweepRun[]): boolean {
  return runs.some((r) => r.results.integrity.verdict === 'failed' && !UNSAFE_POLICIES.has(r.policy));
}
