/**
 * The young-generation cap (util/young-generation.ts): in a fresh node process that allocates
 * with survivors, V8 grows new space to two 16 MiB semi-spaces on its own; after
 * limitYoungGeneration it stops at the cap (GCs are reported to it when the event loop turns, which
 * a replay lets it do between requests). Worker threads of the pool get it as resourceLimits.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SEMI_SPACE_MIB, WORKER_YOUNG_GENERATION_MB } from '../../src/util/young-generation.js';

/** new_space's size in MiB at the end of a fresh process that allocates for a while, capped or not. */
function newSpaceMiB(capped: boolean): number {
  const script = `
    import v8 from 'node:v8';
    import { setImmediate as tick } from 'node:timers/promises';
    import { limitYoungGeneration } from './src/util/young-generation.ts';
    if (${capped}) limitYoungGeneration();
    let keep = [];
    for (let round = 0; round < 600; round++) {
      for (let i = 0; i < 10000; i++) { keep.push({ i, a: [i] }); if (keep.length > 50000) keep = []; }
      await tick(); // GCs are reported when the event loop turns, as a replay lets it between requests
    }
    console.log(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 1048576);`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return Number(r.stdout.trim());
}

describe('young generation cap', () => {
  it('new space stops growing at two semi-spaces of SEMI_SPACE_MIB; uncapped it grows past them', () => {
    expect(newSpaceMiB(false)).toBeGreaterThan(2 * SEMI_SPACE_MIB);
    expect(newSpaceMiB(true)).toBeLessThanOrEqual(2 * SEMI_SPACE_MIB);
  }, 60_000);

  it('worker threads get three semi-spaces of young generation (how V8 counts it)', () => {
    expect(WORKER_YOUNG_GENERATION_MB).toBe(3 * SEMI_SPACE_MIB);
  });
});
