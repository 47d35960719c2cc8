/**
 * Ctrl-C during a replay on the ring path (and on auto's default, and on cache: none's libuv path): the CLI, in its own process,
 * says it is draining, waits for the requests in flight on the worker threads, writes the
 * partial results and exits 130, leaving no thread to keep it alive.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { spawnCli, waitUntil } from '../cli/spawn-cli.js';

// auto-direct: cache: none with libuv's pool at the launcher's size, so auto takes async (uv-direct.ts).
it.each(['ring', 'auto', 'auto-direct'])('Ctrl-C during an io: %s replay drains, writes interrupted results and exits 130', async (mode) => {
  const direct = mode === 'auto-direct';
  const io = direct ? 'auto' : mode;
  const dir = await mkdtemp(join(tmpdir(), 'qed-bench-ring-int-'));
  try {
    const wl = join(dir, 'w.yaml');
    await writeFile(wl, `name: ring-interrupt\nseed: 3\nimage: { size: 64M, cluster_size: 4k, io: ${io}${direct ? ', cache: none' : ''} }\nphases:\n  - name: long\n    jobs:\n      - { pattern: random, op: write, bs: 4k, iodepth: 16, stop: { ops: 5000000 } }\n`);
    const { child, out, exited } = spawnCli(['run', wl, '--results-dir', join(dir, 'res'), '--no-qemu-check'], { ...process.env, TMPDIR: dir, ...(direct ? { UV_THREADPOOL_SIZE: '16' } : {}) });
    // Once the replay runs (its fresh image, under TMPDIR, exists), as a user would.
    expect(await waitUntil(async () => (await readdir(dir)).some((f) => f !== 'w.yaml' && !f.startsWith('tsx'))), 'the replay never started').toBe(true);
    await new Promise((r) => setTimeout(r, 1000));
    child.kill('SIGINT');
    const code = await exited;
    const { stdout, stderr } = out;
    expect(stderr).toContain('interrupted; draining requests in flight');
    expect(code, `stdout:\n${stdout}\nstderr:\n${stderr}`).toBe(130);
    const [file] = await readdir(join(dir, 'res'));
    const results = JSON.parse(await readFile(join(dir, 'res', file), 'utf8'));
    expect(results.status).toBe('interrupted');
    expect(results.total.requests).toBeGreaterThan(0);
    expect(results.total.requests).toBeLessThan(5_000_000);
    expect(results.image.io.io).toBe(direct ? 'async' : io === 'auto' ? 'adaptive' : 'ring');
    expect(results.integrity.verdict).toBe('passed');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 120_000);
