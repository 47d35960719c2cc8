/** The sweep table on hand-made results: exact text, so a change to the layout is a deliberate one. */
import { describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/metrics/results.js';
import { SWEEP_SCHEMA, type SweepResults } from '../../src/metrics/sweep-results.js';
import { formatSweep, sweepCell } from '../../src/report/sweep-table.js';
import { safePolicyFailed } from '../../src/experiments/sweep.js';

/** Only the fields the table reads. */
function run(hitRate: number, mdReads: number, over: number, verdict: 'passed' | 'failed' | 'skipped' = 'passed'): RunResults {
  const violations = verdict === 'failed' ? [{ kind: 'lost-write', offset: 77824, sectors: 8, during: 'read-back', expected: 'w#1', found: 'w#0' }] : [];
  return {
    total: { hitRate, metadataReadsPer1000: mdReads, peakOverCapacity: over },
    integrity: { verdict, lostWrites: verdict === 'failed' ? 8 : 0, staleReads: 0, corruptSectors: 0, unexpectedData: 0, violations },
  } as unknown as RunResults;
}

function sweepOf(runs: SweepResults['runs'], over: Partial<SweepResults['sweep']> = {}): SweepResults {
  return {
    schema: SWEEP_SCHEMA,
    tool: { name: 'qed-bench', version: '0.1.0', gitCommit: null },
    environment: {} as SweepResults['environment'],
    sweep: {
      workload: 'demo',
      file: 'demo.yaml',
      set: [],
      sizes: [4, 128],
      policies: ['fifo', 'lru', 'fifo-unsafe'],
      shards: null,
      timing: 'deterministic',
      jobs: 2,
      elapsedMs: 12_345,
      status: 'completed',
      ...over,
    },
    runs,
  };
}

describe('sweep table', () => {
  it('a cell: hit rate (1 decimal) / metadata reads per 1000 requests / + peak over capacity', () => {
    expect(sweepCell(run(0.77312, 271.24, 0))).toBe('77.3% / 271.2 / +0');
    expect(sweepCell(run(1, 0, 12))).toBe('100.0% / 0.0 / +12');
  });

  it('rows are sizes, columns policies; a cell not in the file is "-"; one line per failed integrity verdict', () => {
    const r = sweepOf(
      [
        { size: 4, policy: 'fifo', results: run(0.773, 271.2, 0) },
        { size: 4, policy: 'lru', results: run(0.8015, 240.06, 2) },
        { size: 4, policy: 'fifo-unsafe', results: run(0.75, 300, 0, 'failed') },
        { size: 128, policy: 'fifo', results: run(0.99, 10, 0) },
      ],
      { shards: [{ index: 1, count: 2 }, { index: 2, count: 2 }] },
    );
    expect(formatSweep(r)).toBe(
      [
        'sweep demo: 2 cache sizes × 3 policies; 4 of 6 runs, deterministic scheduler, 2 workers, 12.3 s  [shards 1/2, 2/2 merged]',
        '',
        'each cell: hit rate / metadata reads per 1000 requests / + peak entries over capacity',
        'size                fifo                 lru         fifo-unsafe',
        '----  ------------------  ------------------  ------------------',
        '4     77.3% / 271.2 / +0  80.2% / 240.1 / +2  75.0% / 300.0 / +0',
        '128    99.0% / 10.0 / +0                   -                   -',
        '',
        'size 4 × fifo-unsafe: integrity FAILED (known unsafe policy): lost 8, stale 0, corrupt 0, unexpected 0 sectors; first: lost-write at offset 77824 (8 sectors, read-back)',
      ].join('\n'),
    );
    // fifo-unsafe is expected to lose data: not a failure of the sweep
    expect(safePolicyFailed(r.runs)).toBe(false);
    expect(safePolicyFailed([...r.runs, { size: 128, policy: 'lru', results: run(0.9, 1, 0, 'failed') }])).toBe(true);
  });

  it('one shard, interrupted, one process, all verified: says so', () => {
    const r = sweepOf([{ size: 4, policy: 'fifo', results: run(0.5, 500, 1) }], { sizes: [4], policies: ['fifo'], shards: [{ index: 3, count: 4 }], jobs: 1, elapsedMs: 900, status: 'interrupted', timing: 'real' });
    expect(formatSweep(r)).toBe(
      [
        'sweep demo: 1 cache size × 1 policy; 1 of 1 runs, real scheduler, 1 process, 0.9 s  [shard 3/4]  [INTERRUPTED]',
        '',
        'each cell: hit rate / metadata reads per 1000 requests / + peak entries over capacity',
        'size                fifo',
        '----  ------------------',
        '4     50.0% / 500.0 / +1',
        '',
        'integrity: passed in its 1 run',
      ].join('\n'),
    );
    expect(formatSweep(sweepOf([{ size: 4, policy: 'fifo', results: run(0.5, 500, 1, 'skipped') }], { sizes: [4], policies: ['fifo'] })).split('\n').at(-1)).toBe('integrity: not verified (--no-verify)');
  });
});
