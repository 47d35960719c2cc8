/**
 * Scenario phases: workloads/race-2012-scenario.yaml writes the 2012 interleaving down in YAML
 * (break / request / wait_break / resume / wait), and the loader rejects scenarios it cannot run.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runWorkload } from '../../src/replay/runner.js';
import { WorkloadError, parseWorkload } from '../../src/workload/load.js';

const FILE = 'workloads/race-2012-scenario.yaml';

async function run(policy: 'fifo' | 'fifo-unsafe') {
  const ws = parseWorkload(readFileSync(FILE, 'utf8'), FILE, { set: [`cache.policy=${policy}`] });
  expect(ws).toHaveLength(1);
  expect(ws[0].phases[1].jobs).toEqual([]);
  expect(ws[0].phases[1].scenario?.map((s) => s.kind)).toEqual(['break', 'request', 'wait-break', 'request', 'wait', 'request', 'wait', 'resume', 'wait', 'request', 'wait']);
  return runWorkload(ws[0], { inMemory: true, qemuCheck: false });
}

describe('scenario phases', () => {
  it('race-2012-scenario under fifo-unsafe: A is evicted in use, reloaded stale, and the write at 4k is lost', async () => {
    const r = await run('fifo-unsafe');
    expect(r.phases.map((p) => p.name)).toEqual(['prefill', 'race']);
    expect(r.phases[1].ops.write.ops).toBe(2);
    expect(r.phases[1].ops.read.ops).toBe(2);
    expect(r.integrity.verdict).toBe('failed');
    expect(r.integrity.lostWrites).toBeGreaterThan(0);
    expect(r.total.cache.evictionsInUse).toBeGreaterThanOrEqual(1);
    expect(r.integrity.check).toMatchObject({ corruptions: 0, leaks: 1 }); // the lost write's cluster
  });

  it('race-2012-scenario under fifo: nothing is lost', async () => {
    const r = await run('fifo');
    expect(r.integrity.verdict).toBe('passed');
    expect(r.integrity.lostWrites).toBe(0);
    expect(r.total.cache.evictionsInUse).toBe(0);
    expect(r.integrity.check).toMatchObject({ corruptions: 0, leaks: 0 });
  });

  const base = (phase: string, scheduler = 'scheduler: { mode: deterministic }') =>
    ['image: { size: 64M, cluster_size: 4k, table_size: 2 }', scheduler, 'phases:', phase].join('\n');
  const loadError = (text: string): WorkloadError => {
    try {
      parseWorkload(text, 'bad.yaml');
    } catch (err) {
      if (err instanceof WorkloadError) return err;
      throw err;
    }
    throw new Error('expected a WorkloadError');
  };

  it('rejects a scenario under the real scheduler, naming scheduler.mode', () => {
    const err = loadError(base('  - scenario:\n      - request: { op: write, offset: 0, length: 4k }', 'scheduler: { mode: real }'));
    expect(err.message).toContain('bad.yaml:5:7:'); // the scenario's first step
    expect(err.message).toContain('phases[0].scenario: a scenario needs scheduler.mode: deterministic, found scheduler.mode: real');
  });

  it('rejects a wait or resume on a name no earlier step declared', () => {
    const err = loadError(
      base(
        [
          '  - scenario:',
          '      - request: { op: write, offset: 0, length: 4k, as: w }',
          '      - wait: [w, x]',
          '      - resume: B',
          '      - request: { op: read, offset: 64M, length: 4k }',
        ].join('\n'),
      ),
    );
    expect(err.problems.map((p) => p.path)).toEqual(['phases[0].scenario[1].wait[1]', 'phases[0].scenario[2].resume', 'phases[0].scenario[3].request']);
    expect(err.message).toContain('unknown request name "x"');
    expect(err.message).toContain('unknown breakpoint tag "B"');
    expect(err.message).toContain('expected a request inside the image');
  });

  it('rejects a phase with both jobs and scenario, and a step with two keys', () => {
    const err = loadError(
      base(
        [
          '  - jobs: [{ stop: { ops: 1 } }]',
          '    scenario:',
          '      - { wait: all, resume: A }',
        ].join('\n'),
      ),
    );
    expect(err.message).toContain('expected exactly one of break, request, wait_break, resume, wait');
    const both = loadError(base(['  - jobs: [{ stop: { ops: 1 } }]', '    scenario:', '      - wait: all'].join('\n')));
    expect(both.message).toContain('phases[0]: expected either jobs or scenario, found both');
  });
});
