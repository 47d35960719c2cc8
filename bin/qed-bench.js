#!/usr/bin/env node
// Thin launcher: the CLI is compiled by `npm run build` (run by `npm ci` through `prepare`).
import('../dist/src/cli.js').then((m) => m.main(process.argv)).catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('qed-bench: dist/ is missing; run `npm run build` first.');
    process.exit(2);
  }
  throw err;
});
