/** Benchmark helper: run one job in a fresh worker thread (a clean heap and JIT) and get its one reply. */
import { Worker } from 'node:worker_threads';

/**
 * Starts `script` (the calling benchmark's own module, `new URL(import.meta.url)`) as a worker
 * with `job` as its workerData; resolves to the one message it posts back. `what` names the job
 * when the worker exits without one.
 */
export function inFreshWorker<R>(script: URL, job: unknown, what: string): Promise<R> {
  return new Promise((resolve, reject) => {
    const w = new Worker(script, { workerData: job });
    let result: R | undefined;
    w.once('message', (m: R) => (result = m));
    w.once('error', reject);
    w.once('exit', (code) => (result !== undefined ? resolve(result) : reject(new Error(`worker for ${what} exited with ${code}`))));
  });
}
