/**
 * Benchmark helper: make sure libuv's thread pool has the size the CLI launcher gives it
 * (bin/qed-bench.js), so that cache: none rows measure what `qed-bench run` does. libuv reads
 * UV_THREADPOOL_SIZE once, before an ES module's first line runs, so when the environment does
 * not set it the script runs again in a child process that has it set.
 */
import { spawnSync } from 'node:child_process';
import { DIRECT_UV_THREADS } from '../../src/io/file-backend.js';

/** Returns when the pool size is the environment's; otherwise runs the script again with it set and exits with its status. */
export function withUvPoolSize(): void {
  if (process.env.UV_THREADPOOL_SIZE !== undefined) return;
  const r = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, UV_THREADPOOL_SIZE: String(DIRECT_UV_THREADS) },
  });
  process.exit(r.status ?? 1);
}
