/** `report --format md`: exact tables for hand-made results with round numbers. */
import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { cliOk, useTempDir } from '../cli/helpers.js';
import { handMade, sweepOf } from './fixtures.js';

const tmp = useTempDir();

const RUNS = [
  { size: 8, policy: 'fifo', hitRate: 0.5, mdReads: 500, peakOver: 2, read: [100_000, 200_000, 1_000_000, 2_500_000] },
  { size: 8, policy: 'lru', hitRate: 0.625, mdReads: 375.25, peakOver: 1, read: [100_000, 150_000, 900_000, 2_000_000] },
  { size: 16, policy: 'fifo', hitRate: 0.875, mdReads: 125, peakOver: 0, read: [50_000, 100_000, 400_000, 1_000_000] },
  { size: 16, policy: 'lru', hitRate: 1, mdReads: 0, peakOver: 0, read: [1, 1, 1, 1], verdict: 'failed', lostWrites: 3 },
] as const;

describe('report --format md', () => {
  it('prints the sizes × policies, latency and integrity tables', async () => {
    const file = tmp.path('sweep.json');
    const runs = RUNS.map((r) => ({ size: r.size, policy: r.policy, results: handMade({ ...r, workload: 'hand', read: [...r.read] }) }));
    await writeFile(file, JSON.stringify(sweepOf(runs, 'hand')));
    const { stdout } = await cliOk(0, 'report', file, '--format', 'md');
    expect(stdout).toBe(`# qed-bench report

## hand: hit rate / metadata reads per 1000 requests / peak over capacity

| cache size | fifo | lru |
| --- | ---: | ---: |
| 8 | 50.00% / 500.0 / 2 | 62.50% / 375.3 / 1 |
| 16 | 87.50% / 125.0 / 0 | 100.00% / 0.0 / 0 |

## Latency (µs)

| workload | cache size | policy | op | ops | p50 | p90 | p99 | p99.9 |
| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |
| hand | 8 | fifo | read | 1000 | 100.0 | 200.0 | 1000.0 | 2500.0 |
| hand | 8 | lru | read | 1000 | 100.0 | 150.0 | 900.0 | 2000.0 |
| hand | 16 | fifo | read | 1000 | 50.0 | 100.0 | 400.0 | 1000.0 |
| hand | 16 | lru | read | 1000 | 0.0 | 0.0 | 0.0 | 0.0 |

## Integrity

| workload | cache size | policy | verdict | stale reads | lost writes | corrupt sectors | check | qemu-img check |
| --- | --- | --- | --- | ---: | ---: | ---: | --- | --- |
| hand | 8 | fifo | passed | 0 | 0 | 0 | 0 corruptions, 0 leaks | not run |
| hand | 8 | lru | passed | 0 | 0 | 0 | 0 corruptions, 0 leaks | not run |
| hand | 16 | fifo | passed | 0 | 0 | 0 | 0 corruptions, 0 leaks | not run |
| hand | 16 | lru | **failed** | 0 | 3 | 0 | 0 corruptions, 0 leaks | not run |
`);
  });

  it('escapes Markdown in names, writes -o instead of stdout, leaves an empty cell for a missing run', async () => {
    const a = tmp.path('a.json');
    const b = tmp.path('b.json');
    await writeFile(a, JSON.stringify(handMade({ workload: '<b>&"|x', size: 4, policy: 'fifo', hitRate: 0.25, mdReads: 10, peakOver: 0, read: [1000, 2000, 3000, 4000] })));
    await writeFile(b, JSON.stringify(handMade({ workload: '<b>&"|x', size: 8, policy: 'lru', hitRate: 0.5, mdReads: 5, peakOver: 0, read: [1000, 2000, 3000, 4000] })));
    const out = tmp.path('report.md');
    const r = await cliOk(0, 'report', a, b, '--format', 'md', '-o', out);
    expect(r.stdout).toBe('');
    const text = await readFile(out, 'utf8');
    expect(text).toContain('## \\<b\\>\\&"\\|x: hit rate');
    expect(text).toContain('| 4 | 25.00% / 10.0 / 0 |  |\n| 8 |  | 50.00% / 5.0 / 0 |');
    expect(text).not.toContain('<b>');
  });
});
