/** A power-cut run's terminal summary says where the cut fell and what recovery found, not only an EPOWER count. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/metrics/results.js';
import { cliOk, useTempDir } from '../cli/helpers.js';

const tmp = useTempDir();

describe('power-cut summary', () => {
  it('workloads/power-cut.yaml prints one power-cut line before the integrity line, with the recovery counts', async () => {
    const out = tmp.path('r.json');
    const r = await cliOk(0, 'run', 'workloads/power-cut.yaml', '-q', '--no-qemu-check', '-o', out);
    const x = (JSON.parse(await readFile(out, 'utf8')) as RunResults).recovery!;
    expect(x.cutAt.afterReplay).toBe(false);
    const lines = r.stdout.split('\n');
    const i = lines.findIndex((l) => l.startsWith('power cut: '));
    expect(lines[i]).toContain(`power cut: after ${x.cutAt.requests} requests (${x.cutAt.backendRequests} backend requests), ${x.writesUndone} unflushed writes undone`);
    expect(lines[i]).toContain(`${x.corruptionsFound} corruptions found, ${x.corruptionsFixed} fixed, ${x.leaks} leaked clusters (allowed)`);
    expect(lines[i]).toContain(`writes lost: ${x.lostFlushedWrites} flushed (must be 0)`);
    expect(lines[i]).toMatch(/recovery PASSED$/);
    expect(lines[i + 1]).toMatch(/^integrity: PASSED/);
  }, 60_000);
});
