/**
 * Benchmark helper: make sure libuv's thread pool has the size the CLI launcher gives it
 * (bin/qed-bench.js), so that cache: none rows measure what `qed-bench run` does. libuv reads
 * UV_THREADPOOL_SIZE once, before an ES module's first line runs, so when the environment does
 * not set it the script runs again in a child process that has it set.
 */
import { spawn } from 'node:child_process';
import { DIRECT_UV_THREADS } from '../../src/io/file-backend.js';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Resolves when the pool size is the environment's. Otherwise runs the script again with it set,
 * passes on SIGINT/SIGTERM/SIGHUP (the parent stays alive until the child ends, so `timeout` or
 * `kill` on the parent reaches the benchmark), and ends this process as the child ended: its exit
 * code, or the same signal. Never resolves then.
 */
export function withUvPoolSize(): Promise<void> {
  if (process.env.UV_THREADPOOL_SIZE !== undefined) return Promise.resolve();
  // --inspect* would clash with the parent's port; the child gets the rest of the parent's flags.
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--inspect'));
  const child = spawn(process.execPath, [...execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, UV_THREADPOOL_SIZE: String(DIRECT_UV_THREADS) },
  });
  for (const sig of FORWARDED) process.on(sig, () => child.kill(sig));
  return new Promise<void>(() => {
    child.on('exit', (code, signal) => {
      for (const sig of FORWARDED) process.removeAllListeners(sig);
      if (signal) process.kill(process.pid, signal);
      else process.exit(code ?? 1);
    });
    child.on('error', (err) => {
      console.error(`bench: cannot run again with UV_THREADPOOL_SIZE set: ${err.message}`);
      process.exit(2);
    });
  });
}
