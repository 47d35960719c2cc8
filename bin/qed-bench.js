#!/usr/bin/env node
// Thin launcher: the CLI is compiled by `npm run build` (run by `npm ci` through `prepare`).
// CommonJS (bin/package.json) so that this line runs before libuv's thread pool starts: the pool
// reads UV_THREADPOOL_SIZE once, and cache: none's requests run on it (src/io/uv-direct.ts).
// 16 = DIRECT_UV_THREADS in src/io/io-choice.ts; the environment's own value wins.
process.env.UV_THREADPOOL_SIZE ??= '16';
import('../dist/src/cli.js').then((m) => m.main(process.argv)).catch((err) => {
  // Only the CLI itself missing (err.url names it); a missing package is reported as itself.
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.url).endsWith('/dist/src/cli.js')) {
    console.error('qed-bench: dist/ is missing; run `npm run build` first.');
    process.exit(2);
  }
  throw err;
});
