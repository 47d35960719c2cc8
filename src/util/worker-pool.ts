/**
 * A pool of worker threads that run independent tasks: each worker gets one init message, then
 * one task at a time (so a slow task does not hold back a queue behind it). Used by `stress`
 * (seeds) and `sweep` (grid cells); the worker side is `serveTasks` below.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { parentPort, Worker } from 'node:worker_threads';
import { WORKER_YOUNG_GENERATION_MB } from './heap-limits.js';

/** Messages between runOnWorkers and serveTasks. */
export type ToWorker<Init, Task> = { type: 'init'; init: Init } | { type: 'run'; task: Task };
export type FromWorker<Result> = { type: 'ready' } | { type: 'result'; result: Result } | { type: 'progress'; progress: unknown } | { type: 'fatal'; message: string; errorName?: string };

export interface PoolOptions<Init, Task, Result> {
  /** The worker module as its compiled .js beside the caller: `new URL('./x-worker.js', import.meta.url)`. */
  worker: URL;
  /** Posted once to every worker before its first task. */
  init: Init;
  tasks: readonly Task[];
  /** How many workers (at most one per task). */
  jobs: number;
  /** Called on the main thread as each task's result arrives (in completion order). */
  onResult: (result: Result, task: Task) => void;
  /** Called on the main thread with what a task reports while it runs (its own progress). */
  onProgress?: (progress: unknown, task: Task) => void;
  /** On abort no new task is handed out; tasks in progress finish. */
  signal?: AbortSignal;
  /** Names the workers in errors ("stress worker: ..."). */
  name: string;
}

/**
 * A task's error once it has crossed from a worker (or been given a task's label): the message,
 * and the class name of the error it was, so the CLI still tells bad input (exit 2) from a failure.
 */
export class TaskError extends Error {
  constructor(
    message: string,
    readonly causeName: string,
  ) {
    super(message);
    this.name = 'TaskError';
  }
}

/** The class name a TaskError keeps for `err` (through nested TaskErrors). */
export function errorNameOf(err: unknown): string {
  if (err instanceof TaskError) return err.causeName;
  return err instanceof Error ? err.name : 'Error';
}

/**
 * Runs every task, in-process one after another when one job suffices, else on worker threads;
 * resolves to the number of jobs used. `inProcess` must compute what the worker would.
 */
export async function runTasks<Init, Task, Result>(o: PoolOptions<Init, Task, Result> & { inProcess: (task: Task, report: (progress: unknown) => void) => Promise<Result> }): Promise<number> {
  const jobs = Math.max(1, Math.min(o.jobs, o.tasks.length));
  if (jobs > 1) {
    await runOnWorkers(o, jobs);
    return jobs;
  }
  for (const t of o.tasks) {
    if (o.signal?.aborted) break;
    o.onResult(await o.inProcess(t, (p) => o.onProgress?.(p, t)), t);
  }
  return 1;
}

/**
 * Runs `tasks` on `jobs` worker threads. A worker that reports a fatal error, throws or exits
 * early stops all the others and rejects with its error.
 */
async function runOnWorkers<Init, Task, Result>(o: PoolOptions<Init, Task, Result>, jobs: number): Promise<void> {
  let next = 0;
  let failure: Error | null = null;
  const workers: Worker[] = [];
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const worker = spawnWorker(o.worker);
      workers.push(worker);
      let current: Task | null = null;
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
        if (failure || o.signal?.aborted || next >= o.tasks.length) {
          finish(failure ?? undefined);
          return;
        }
        current = o.tasks[next++];
        worker.postMessage({ type: 'run', task: current } satisfies ToWorker<Init, Task>);
      };
      worker.on('message', (m: FromWorker<Result>) => {
        if (m.type === 'ready') feed();
        else if (m.type === 'result') {
          o.onResult(m.result, current as Task);
          feed();
        } else if (m.type === 'progress') o.onProgress?.(m.progress, current as Task);
        else finish(new TaskError(`${o.name}: ${m.message}`, m.errorName ?? 'Error'));
      });
      worker.on('error', (err) => finish(err));
      worker.on('exit', (code) => finish(failure ?? new Error(`${o.name} exited with code ${code} before finishing`)));
      worker.postMessage({ type: 'init', init: o.init } satisfies ToWorker<Init, Task>);
    });
  await Promise.all(Array.from({ length: jobs }, one));
}

/**
 * The worker side: `setup(init)` once, then its result for each task handed over. An error
 * from either goes back as fatal, which stops the pool.
 */
export function serveTasks<Init, Task, Result>(setup: (init: Init, report: (progress: unknown) => void) => (task: Task) => Promise<Result>): void {
  const port = parentPort;
  if (!port) throw new Error('serveTasks runs in a worker thread');
  let run: ((task: Task) => Promise<Result>) | null = null;
  const send = (m: FromWorker<Result>): void => port.postMessage(m);
  port.on('message', (m: ToWorker<Init, Task>) => {
    void (async () => {
      try {
        if (m.type === 'init') {
          run = setup(m.init, (progress) => send({ type: 'progress', progress }));
          send({ type: 'ready' });
        } else {
          if (!run) throw new Error('task before init');
          send({ type: 'result', result: await run(m.task) });
        }
      } catch (err) {
        send({ type: 'fatal', message: err instanceof Error ? err.message : String(err), errorName: errorNameOf(err) });
      }
    })();
  });
}

/**
 * A worker running `target` (a .js URL). When this file is TypeScript run by tsx or vitest, the
 * .ts beside that .js runs through tsx's loader (a dev dependency) instead.
 */
export function spawnWorker(target: URL): Worker {
  const here = import.meta.url;
  // A small young generation, as the CLI gives its own thread (heap-limits.ts).
  const resourceLimits = { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB };
  if (!here.endsWith('.ts')) return new Worker(target, { resourceLimits });
  const ts = target.href.replace(/\.js$/, '.ts');
  const api = pathToFileURL(createRequire(here).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  const code = `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(ts)}, ${JSON.stringify(here)}));`;
  return new Worker(code, { eval: true, resourceLimits });
}
