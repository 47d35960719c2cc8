/**
 * Seed sweeps: one workload replayed under the deterministic scheduler once per seed × cache
 * policy, on worker threads or in-process, summarised per policy. A run is a pure function of
 * (workload text, overrides, seed, policy), so the summary does not depend on how many workers
 * ran it or in which order, and any failing run replays alone with `qed-bench run`.
 */
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { parseWorkload, WorkloadError } from '../workload/load.js';
import type { Workload } from '../workload/types.js';
import { runWorkload } from './runner.js';

/** Policies that reproduce a known bug and are expected to lose data; every other policy must not. */
export const UNSAFE_POLICIES: ReadonlySet<string> = new Set(['fifo-unsafe']);

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
  /** Run `qemu-img check` after each run (files only). */
  qemuCheck: boolean;
}

/** What one run found; small enough to post between threads. */
export interface StressRun {
  seed: number;
  policy: string;
  /** 'error': the run threw (a bug, or a workload that cannot run); `error` says what. */
  verdict: 'passed' | 'failed' | 'error';
  requests: number;
  lostWrites: number;
  staleReads: number;
  corruptSectors: number;
  unexpectedData: number;
  corruptions: number;
  leaks: number;
  peakOverCapacity: number;
  evictionsInUse: number;
  requestErrors: number;
  firstViolation: string | null;
  error?: string;
}

export interface PolicySummary {
  policy: string;
  /** False for policies that reproduce a known bug (fifo-unsafe). */
  safe: boolean;
  runs: number;
  /** Runs whose integrity verdict was failed, or that threw. */
  failedRuns: number;
  /** failedRuns / runs. */
  failureRate: number;
  erroredRuns: number;
  lostWriteSectors: number;
  staleReads: number;
  corruptSectors: number;
  unexpectedData: number;
  corruptions: number;
  /** Runs whose image our check found leaked clusters in (a lost L2 update leaves one). */
  leakyRuns: number;
  maxPeakOverCapacity: number;
  evictionsInUse: number;
  requests: number;
  /** The failing runs with the smallest seeds, at most LISTED_FAILURES. */
  failures: StressRun[];
}

export interface StressReport {
  workload: string;
  file: string;
  set: string[];
  firstSeed: number;
  seeds: number;
  /** Seeds actually run for every policy (less than `seeds` when interrupted). */
  completedRuns: number;
  status: 'completed' | 'interrupted';
  memory: boolean;
  qemuCheck: boolean;
  jobs: number;
  elapsedMs: number;
  runsPerSecond: number;
  policies: PolicySummary[];
}

export interface StressOptions {
  /** Worker threads; 1 runs in-process. */
  jobs: number;
  signal?: AbortSignal;
  onRun?: (run: StressRun, done: number, total: number) => void;
}

/** The overrides that make one run of a sweep: ours after the user's, so ours win. */
export function runOverrides(set: readonly string[], seed: number, policy: string): string[] {
  return [...set, 'scheduler.mode=deterministic', `seed=${seed}`, `scheduler.seed=${seed}`, `cache.policy=${policy}`];
}

/**
 * Parse the workload for one policy (the seed given is a placeholder); checks that it is one
 * run per seed, with a fresh image. Throws WorkloadError for bad input.
 */
export function stressWorkload(spec: Pick<StressSpec, 'text' | 'file' | 'set' | 'memory'>, policy: string, seed: number): Workload {
  const ws = parseWorkload(spec.text, spec.file, { set: runOverrides(spec.set, seed, policy) });
  if (ws.length !== 1) {
    throw new WorkloadError(spec.file, [
      { path: 'matrix', message: `gives ${ws.length} runs per seed and policy; stress runs one: fix the other matrix fields with --set (e.g. --set cache.size=4)` },
    ]);
  }
  const w = ws[0];
  if (w.image.path) {
    throw new WorkloadError(spec.file, [{ path: 'image.path', message: 'stress replays every seed on a fresh image; remove image.path' }]);
  }
  if (spec.memory && w.image.backing) {
    throw new WorkloadError(spec.file, [{ path: 'image.backing', message: 'in-memory runs cannot use a backing file; add --no-memory to run on files' }]);
  }
  return w;
}

/** The workload with `seed`: what `--set seed=N --set scheduler.seed=N` gives (nothing else derives from seeds). */
export function withSeed(base: Workload, seed: number): Workload {
  const w = structuredClone(base);
  w.seed = seed;
  w.scheduler.seed = seed;
  return w;
}

/** Replays one seed of a policy; `base` is the policy's workload parsed once (any seed). */
export async function runSeed(base: Workload, spec: Pick<StressSpec, 'memory' | 'qemuCheck'>, seed: number): Promise<StressRun> {
  const w = withSeed(base, seed);
  const policy = w.cache.policy;
  try {
    const r = await runWorkload(w, { verify: true, qemuCheck: spec.qemuCheck && !spec.memory, inMemory: spec.memory });
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
    return { ...emptyRun(seed, policy), verdict: 'error', error: err instanceof Error ? err.message : String(err) };
  }
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
  const tasks: Array<{ seed: number; policy: string }> = [];
  for (let s = spec.firstSeed; s < spec.firstSeed + spec.seeds; s++) for (const policy of spec.policies) tasks.push({ seed: s, policy });
  const runs: StressRun[] = [];
  const record = (r: StressRun): void => {
    runs.push(r);
    opts.onRun?.(r, runs.length, tasks.length);
  };
  const jobs = Math.max(1, Math.min(opts.jobs, tasks.length));
  if (jobs === 1) {
    for (const t of tasks) {
      if (opts.signal?.aborted) break;
      record(await runSeed(bases.get(t.policy)!, spec, t.seed));
    }
  } else {
    await runOnWorkers(spec, tasks, jobs, record, opts.signal);
  }
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

// ---- worker threads ------------------------------------------------------------------

/** Messages between stress() and stress-worker.ts. */
export type ToWorker = { type: 'init'; spec: StressSpec } | { type: 'run'; seed: number; policy: string };
export type FromWorker = { type: 'ready' } | { type: 'result'; run: StressRun } | { type: 'fatal'; message: string };

/**
 * Hand tasks to `jobs` workers, one at a time each (so a slow seed does not hold back a queue).
 * On abort, no new task is handed out; runs in progress finish. A worker that dies stops all.
 */
async function runOnWorkers(
  spec: StressSpec,
  tasks: Array<{ seed: number; policy: string }>,
  jobs: number,
  record: (r: StressRun) => void,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  let failure: Error | null = null;
  const workers: Worker[] = [];
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = spawnWorker();
      workers.push(worker);
      let settled = false;
      const finish = (err?: Error): void => {
        if (settled) return;
        settled = true;
        void worker.terminate();
        if (err) {
          failure ??= err;
          for (const w of workers) if (w !== worker) void w.terminate();
          reject(err);
        } else resolve();
      };
      const feed = (): void => {
        if (failure || signal?.aborted || next >= tasks.length) {
          finish(failure ?? undefined);
          return;
        }
        const t = tasks[next++];
        worker.postMessage({ type: 'run', seed: t.seed, policy: t.policy } satisfies ToWorker);
      };
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') feed();
        else if (m.type === 'result') {
          record(m.run);
          feed();
        } else finish(new Error(`stress worker: ${m.message}`));
      });
      worker.on('error', (err) => finish(err));
      worker.on('exit', (code) => finish(failure ?? new Error(`stress worker exited with code ${code} before finishing`)));
      worker.postMessage({ type: 'init', spec } satisfies ToWorker);
    });
  await Promise.all(Array.from({ length: jobs }, one));
}

/**
 * A worker running stress-worker: the compiled .js beside this file (dist), or, when this file
 * is TypeScript run by tsx or vitest, the .ts through tsx's loader (a dev dependency).
 */
function spawnWorker(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./stress-worker.js', here));
  const target = new URL('./stress-worker.ts', here).href;
  const api = pathToFileURL(createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const code = `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(target)}, ${JSON.stringify(here)}));`;
  return new Worker(code, { eval: true });
}
