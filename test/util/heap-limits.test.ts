/**
 * The heap limits (util/heap-limits.ts), each in a fresh node process: with limitHeap, new space
 * stops at two SEMI_SPACE_MIB semi-spaces where V8 alone grows it to two of 16 MiB (GCs are
 * reported when the event loop turns, which a replay lets it do between requests), and old space
 * holding 20 MiB of live objects peaks lower while garbage is promoted. Worker threads of the
 * pool get the young-generation cap as resourceLimits.
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SEMI_SPACE_MIB } from '../../src/util/heap-limits.js';
import { spawnWorker } from '../../src/util/worker-pool.js';

/** The largest new_space and old_space sizes (MiB) seen by a fresh process that allocates for a while, limited or not. */
function spaces(limited: boolean): { young: number; old: number } {
  const script = `
    import v8 from 'node:v8';
    import { setImmediate as tick } from 'node:timers/promises';
    import { limitHeap } from './src/util/heap-limits.ts';
    if (${limited}) limitHeap();
    const live = []; // built between ticks, as a replay builds its state between requests
    for (let k = 0; k < 20; k++) { for (let i = 0; i < 10000; i++) live.push({ i, s: 'x' + i }); await tick(); }
    const size = (n) => v8.getHeapSpaceStatistics().find((s) => s.space_name === n).space_size / 1048576;
    let keep = [];
    let young = 0;
    let old = 0;
    for (let round = 0; round < 600; round++) {
      for (let i = 0; i < 10000; i++) { keep.push({ i, a: [i] }); if (keep.length > 50000) keep = []; }
      await tick();
      young = Math.max(young, size('new_space'));
      old = Math.max(old, size('old_space'));
    }
    console.log(JSON.stringify({ young, old, live: live.length }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout.trim());
}

describe('heap limits', () => {
  it('new space stops at two semi-spaces of SEMI_SPACE_MIB and old space peaks lower; without them both grow past', () => {
    const free = spaces(false);
    const limited = spaces(true);
    expect(free.young).toBeGreaterThan(2 * SEMI_SPACE_MIB);
    expect(limited.young).toBeLessThanOrEqual(2 * SEMI_SPACE_MIB);
    expect(limited.old).toBeLessThan(free.old);
  }, 60_000);

  it('a pool worker runs with a young generation of three semi-spaces (how V8 counts it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qed-bench-heap-'));
    try {
      const file = join(dir, 'limits.mjs');
      writeFileSync(file, "import { parentPort, resourceLimits } from 'node:worker_threads';\nparentPort.postMessage(resourceLimits);\n");
      const worker = spawnWorker(pathToFileURL(file));
      const [limits] = (await once(worker, 'message')) as [{ maxYoungGenerationSizeMb: number }];
      await worker.terminate();
      expect(limits.maxYoungGenerationSizeMb).toBe(12); // three 4 MiB semi-spaces
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
