/**
 * Seed sweeps: one workload replayed under the deterministic scheduler once per seed × cache
 * policy, on worker threads or in-process, summarised per policy. A run is a pure function of
 * (workload text, overrides, seed, policy), so the summary does not depend on how many workers
 * ran it or in which order, and any failing run replays alone with `qed-bench run`.
 */
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { UNSAFE_POLICIES } from '../cache/policies/index.js';
import type { PolicySummary, StressReport, StressRun } from '../metrics/stress-results.js';
import { runTasks } from '../util/worker-pool.js';
import { parseWorkload, WorkloadError } from '../workload/load.js';
import { runOverrides, seedOverrides } from '../workload/overrides.js';
import type { Workload } from '../workload/types.js';
import { runWorkload } from '../replay/runner.js';

// The summaries' shape lives in metrics/ (the reports read it), the run's overrides in workload/;
// re-exported for code that imports them from here.
export { runOverrides, type StressReport, type StressRun };

/** How many failing runs each policy lists (the smallest seeds). */
export const LISTED_FAILURES = 10;

export interface StressSpec {
  /** The workload file's text and its name (for messages and the replay command). */
  text: string;
  file: string;
  /** The user's --set overrides (ours are applied after them). */
  set: string[];
  firstSeed: number;
  seeds: number;
  policies: string[];
  /** Replay on in-memory images (default) or on files in temp directories. */
  memory: boolean;
  /** In memory, move every byte and verify reads; otherwise (the default) metadata-only, integrity at the mapping level. */
  full?: boolean;
  /** Run `qemu-img check` after each run (files only). */
  qemuCheck: boolean;
}

export interface StressOptions {
  /** Worker threads; 1 runs in-process. */
  jobs: number;
  signal?: AbortSignal;
  onRun?: (run: StressRun, done: number, total: number) => void;
}

/** How a command that replays one run per grid point, each on a fresh image, names itself in errors. */
export interface OneRunCommand {
  /** The command as a sentence's subject: "stress", "a sweep". */
  name: string;
  /** The grid point: "seed and policy". */
  per: string;
  /** What each fresh image is for: "seed", "cell". */
  each: string;
  /** A --set that fixes a matrix field this command does not vary. */
  example: string;
}

/**
 * Parse the workload with `overrides`; checks that it gives one run, on a fresh image (no
 * image.path) and, in memory, without a backing file. Throws WorkloadError for bad input.
 */
export function oneFreshRun(spec: Pick<StressSpec, 'text' | 'file' | 'memory'>, overrides: readonly string[], cmd: OneRunCommand, cache: { size?: number; policy?: string } = {}): Workload {
  const ws = parseWorkload(spec.text, spec.file, { set: overrides, cache });
  if (ws.length !== 1) {
    throw new WorkloadError(spec.file, [
      { path: 'matrix', message: `gives ${ws.length} runs per ${cmd.per}; ${cmd.name} runs one: fix the other matrix fields with --set (e.g. --set ${cmd.example})` },
    ]);
  }
  const w = ws[0];
  if (w.image.path) {
    throw new WorkloadError(spec.file, [{ path: 'image.path', message: `${cmd.name} replays every ${cmd.each} on a fresh image; remove image.path` }]);
  }
  if (spec.memory && w.image.backing) {
    throw new WorkloadError(spec.file, [{ path: 'image.backing', message: 'in-memory runs cannot use a backing file; add --no-memory to run on files' }]);
  }
  return w;
}

const STRESS_COMMAND: OneRunCommand = { name: 'stress', per: 'seed and policy', each: 'seed', example: 'cache.size=4' };

/** Parse the workload for one policy (the seed given is a placeholder). Throws WorkloadError for bad input. */
export function stressWorkload(spec: Pick<StressSpec, 'text' | 'file' | 'set' | 'memory'>, policy: string, seed: number): Workload {
  return oneFreshRun(spec, seedOverrides(spec.set, seed), STRESS_COMMAND, { policy });
}

/** The workload with `seed`: what `--set seed=N --set scheduler.seed=N` gives (nothing else derives from seeds). */
export function withSeed(base: Workload, seed: number): Workload {
  const w = structuredClone(base);
  w.seed = seed;
  w.scheduler.seed = seed;
  return w;
}

/** Replays one seed of a policy; `base` is the policy's workload parsed once (any seed). */
export async function runSeed(base: Workload, spec: Pick<StressSpec, 'memory' | 'full' | 'qemuCheck'>, seed: number): Promise<StressRun> {
  const w = withSeed(base, seed);
  const policy = w.cache.policy;
  try {
    const r = await runWorkload(w, { verify: true, qemuCheck: spec.qemuCheck && !spec.memory, inMemory: spec.memory, store: stressStore(spec, w) });
    if (r.image.created && r.image.kept && !spec.memory) await rm(dirname(r.image.path), { recursive: true, force: true });
    const i = r.integrity;
    const v = i.violations[0];
    return {
      seed,
      policy,
      verdict: i.verdict === 'failed' ? 'failed' : 'passed',
      requests: r.total.requests,
      lostWrites: i.lostWrites,
      staleReads: i.staleReads,
      corruptSectors: i.corruptSectors,
      unexpectedData: i.unexpectedData,
      corruptions: (i.check?.corruptions ?? 0) + (i.qemuCheck?.corruptions ?? 0),
      leaks: i.check?.leaks ?? 0,
      peakOverCapacity: r.total.peakOverCapacity,
      evictionsInUse: r.total.cache.evictionsInUse,
      requestErrors: Object.values(r.total.errorsByCode).reduce((a, b) => a + b, 0),
      firstViolation: v ? `${v.kind} at offset ${v.offset} (${v.sectors} sectors, ${v.during}): expected ${v.expected}, found ${v.found}` : null,
    };
  } catch (err) {
    // Bad input (a trace line, a trace device with no request) is the user's to fix, not a run that failed.
    if (err instanceof WorkloadError) throw err;
    return { ...emptyRun(seed, policy), verdict: 'error', error: err instanceof Error ? err.message : String(err) };
  }
}

/** Metadata-only in memory unless --full or the workload says image.store: full; files move bytes. */
export function stressStore(spec: Pick<StressSpec, 'memory' | 'full'>, w: Workload): 'full' | 'metadata' {
  return spec.memory && !spec.full ? (w.image.store ?? 'metadata') : 'full';
}

function emptyRun(seed: number, policy: string): StressRun {
  return {
    seed,
    policy,
    verdict: 'passed',
    requests: 0,
    lostWrites: 0,
    staleReads: 0,
    corruptSectors: 0,
    unexpectedData: 0,
    corruptions: 0,
    leaks: 0,
    peakOverCapacity: 0,
    evictionsInUse: 0,
    requestErrors: 0,
    firstViolation: null,
  };
}

/** Run every seed × policy and summarise per policy. Bad input throws before any run starts. */
export async function stress(spec: StressSpec, opts: StressOptions): Promise<StressReport> {
  const started = performance.now();
  // Parse every policy's workload up front: errors surface once, here, not per run.
  const bases = new Map(spec.policies.map((p) => [p, stressWorkload(spec, p, spec.firstSeed)]));
  const tasks: StressTask[] = [];
  for (let s = spec.firstSeed; s < spec.firstSeed + spec.seeds; s++) for (const policy of spec.policies) tasks.push({ seed: s, policy });
  const runs: StressRun[] = [];
  const record = (r: StressRun): void => {
    runs.push(r);
    opts.onRun?.(r, runs.length, tasks.length);
  };
  const jobs = await runTasks({
    worker: new URL('./stress-worker.js', import.meta.url),
    name: 'stress worker',
    init: spec,
    tasks,
    jobs: opts.jobs,
    signal: opts.signal,
    onResult: record,
    inProcess: (t) => runSeed(bases.get(t.policy)!, spec, t.seed),
  });
  const elapsedMs = performance.now() - started;
  const interrupted = runs.length < tasks.length;
  return {
    workload: bases.get(spec.policies[0])!.name,
    file: spec.file,
    set: spec.set,
    firstSeed: spec.firstSeed,
    seeds: spec.seeds,
    completedRuns: runs.length,
    status: interrupted ? 'interrupted' : 'completed',
    memory: spec.memory,
    metadataOnly: stressStore(spec, bases.get(spec.policies[0])!) === 'metadata',
    qemuCheck: spec.qemuCheck && !spec.memory,
    jobs,
    elapsedMs,
    runsPerSecond: elapsedMs > 0 ? (runs.length * 1000) / elapsedMs : 0,
    policies: spec.policies.map((p) => summarise(p, runs.filter((r) => r.policy === p))),
  };
}

/** One policy's runs, in any order, summarised; failures listed by ascending seed. */
export function summarise(policy: string, runs: StressRun[]): PolicySummary {
  const sum = (f: (r: StressRun) => number): number => runs.reduce((a, r) => a + f(r), 0);
  const failed = runs.filter((r) => r.verdict !== 'passed').sort((a, b) => a.seed - b.seed);
  return {
    policy,
    safe: !UNSAFE_POLICIES.has(policy),
    runs: runs.length,
    failedRuns: failed.length,
    failureRate: runs.length ? failed.length / runs.length : 0,
    erroredRuns: failed.filter((r) => r.verdict === 'error').length,
    lostWriteSectors: sum((r) => r.lostWrites),
    staleReads: sum((r) => r.staleReads),
    corruptSectors: sum((r) => r.corruptSectors),
    unexpectedData: sum((r) => r.unexpectedData),
    corruptions: sum((r) => r.corruptions),
    leakyRuns: runs.filter((r) => r.leaks > 0).length,
    maxPeakOverCapacity: runs.reduce((a, r) => Math.max(a, r.peakOverCapacity), 0),
    evictionsInUse: sum((r) => r.evictionsInUse),
    requests: sum((r) => r.requests),
    failures: failed.slice(0, LISTED_FAILURES),
  };
}

/** What stress-worker.ts is handed: the spec once, then one seed × policy at a time. */
export type StressTask = { seed: number; policy: string };
