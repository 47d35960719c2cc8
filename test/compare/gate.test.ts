/** Gate files: located errors (file:line:col, field, did-you-mean) and how rules combine. */
import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { acknowledgementFor, acknowledgementHolds, loadGate, parseGate, ruleFor } from '../../src/report/compare/gate.js';
import { STACK_LINE, cli, useTempDir } from '../cli/helpers.js';
import { realResults, writeJson } from './fixtures.js';

const tmp = useTempDir();
const run = { name: 'zipf[cache.size=8]', id: 'zipf[cache.size=8]/8/fifo' };

function error(text: string): string {
  try {
    parseGate(text, 'gate.yaml');
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the gate file to be rejected');
}

describe('gate file errors', () => {
  it('an unknown metric names file:line:col and the metric meant', () => {
    expect(error('metrics:\n  hitrate: { tolerance: 1 }\n')).toBe('gate.yaml:2:3: metrics: unknown metric "hitrate"; did you mean hitRate?');
    expect(error('workloads:\n  zipf:\n    read.p95: { min_effect: 5% }\n')).toMatch(/^gate\.yaml:3:5: workloads\.zipf: unknown metric "read\.p95"; did you mean read\.p99\?/);
  });

  it('an unknown setting suggests the one meant from the gate schema, not the workload schema', () => {
    expect(error('metrics:\n  hitRate: { tolerence: 1 }\n')).toBe('gate.yaml:2:14: metrics.hitRate: unknown key "tolerence"; did you mean tolerance?');
    expect(error('acknowlege: []\n')).toBe('gate.yaml:1:1: unknown key "acknowlege"; did you mean acknowledge?');
    expect(error('thresholds: []\n')).toBe('gate.yaml:1:1: unknown key "thresholds"; known keys here: metrics, workloads, acknowledge');
  });

  it('bad values say what was expected and what was found', () => {
    expect(error('metrics:\n  hitRate: { tolerance: lots }\n')).toBe('gate.yaml:2:25: metrics.hitRate.tolerance: expected an absolute tolerance (a number ≥ 0) or a relative one ("2%"), found "lots"');
    expect(error('metrics:\n  hitRate: { severity: error }\n')).toMatch(/^gate\.yaml:2:24: metrics\.hitRate\.severity: expected one of warn, fail, found "error"/);
    expect(error('metrics:\n  read.iops: { min_effect: 10 }\n')).toMatch(/min_effect: expected a percentage such as 10%.*write the % sign/);
    expect(error('metrics:\n  read.iops: { alpha: 2 }\n')).toMatch(/alpha: expected a significance level between 0 and 1/);
  });

  it('acknowledgements need a real date, a reason, and cannot cover integrity', () => {
    expect(error('acknowledge:\n  - { workload: a, metric: hitRate, until: 2026-02-30, reason: r }\n')).toBe('gate.yaml:2:44: acknowledge[0].until: expected a date YYYY-MM-DD, e.g. 2026-12-31, found "2026-02-30"');
    expect(error('acknowledge:\n  - { workload: a, metric: hitRate, until: 2026-02-01 }\n')).toMatch(/^gate\.yaml:2:5: acknowledge\[0\]\.reason: missing; expected why the regression is accepted/);
    expect(error('acknowledge:\n  - { workload: a, metric: integrity.verdict, until: 2026-02-01, reason: r }\n')).toMatch(/acknowledge\[0\]\.metric: an integrity failure cannot be acknowledged/);
  });

  it('settings that cannot apply to what the pattern names', () => {
    expect(error('metrics:\n  read.p99: { tolerance: 5 }\n')).toBe('gate.yaml:2:15: metrics.read.p99: tolerance applies to counters; timings are gated by min_effect and alpha');
    expect(error('metrics:\n  cache.*: { alpha: 0.05 }\n')).toMatch(/^gate\.yaml:2:14: metrics\.cache\.\*: alpha applies to timings/);
    expect(error('metrics:\n  integrity.verdict: { severity: warn }\n')).toMatch(/integrity\.verdict takes no settings: an integrity failure always fails/);
  });

  it('YAML syntax errors are located; several problems are listed in file order', () => {
    expect(error('metrics:\n  hitRate: { tolerance: 1\n')).toMatch(/^gate\.yaml:\d+:\d+: YAML syntax error/);
    const many = error('metrics:\n  hitRat: {}\n  cache.loads: { tolerance: x }\n');
    expect(many.split('\n')[0]).toBe('gate.yaml: 2 problems:');
    expect(many).toMatch(/gate\.yaml:2:3: .*\n.*gate\.yaml:3:29: /);
  });

  it('compare --gate with a bad file exits 2 with the located message and no stack', async () => {
    const results = await writeJson(tmp.path('r.json'), await realResults());
    const gate = tmp.path('gate.yaml');
    await writeFile(gate, 'metrics:\n  hitrate: {}\n');
    const r = await cli('compare', results, results, '--gate', gate);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`qed-bench: ${gate}:2:3: metrics: unknown metric "hitrate"; did you mean hitRate?\n`);
    expect(r.stderr).not.toContain(STACK_LINE);
    expect((await cli('compare', results, results, '--gate', tmp.path('none.yaml'))).stderr).toContain('none.yaml: cannot read the gate file: no such file');
  });

  it('the example in docs/compare.md is valid', async () => {
    const doc = await readFile('docs/compare.md', 'utf8');
    const example = /## The gate file[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc)![1];
    const g = parseGate(example, 'docs/compare.md');
    expect(g.workloads.map((w) => w.pattern)).toEqual(['zipf*', 'zipf[cache.size=8]/8/lru']);
    expect(ruleFor(g, { name: 'zipf', id: 'zipf/16/fifo' }, 'hitRate', 'higher').tolerance).toEqual({ relative: 0.005 });
  });

  it('the shipped bench/gate.yaml is valid', async () => {
    const g = await loadGate('bench/gate.yaml');
    expect(g.metrics.map((m) => m.pattern)).toContain('*.p99');
  });
});

describe('rules', () => {
  const gate = parseGate(
    [
      'metrics:',
      '  "cache.*": { tolerance: 2% }',
      '  cache.loads: { tolerance: 3, severity: warn }',
      '  "*.p99": { min_effect: 20%, alpha: 0.05 }',
      'workloads:',
      '  "zipf*":',
      '    cache.loads: { severity: fail }',
      '  "zipf[cache.size=8]/8/*":',
      '    read.p99: { min_effect: 50% }',
      'acknowledge:',
      '  - { workload: "zipf*", metric: "cache.*", until: 2026-03-01, reason: first }',
      '  - { workload: other, metric: hitRate, until: 2026-03-01, reason: other }',
      '  - { workload: "zipf[cache.size=8]", metric: cache.loads, until: 2026-04-01, reason: last }',
      '',
    ].join('\n'),
    'gate.yaml',
  );

  it('defaults: exact counters, severity fail, 10% minimum effect, alpha 0.01', () => {
    expect(ruleFor(gate, run, 'hitRate', 'higher')).toEqual({ tolerance: { absolute: 0 }, severity: 'fail', direction: 'higher', minEffect: 0.1, alpha: 0.01 });
  });

  it('metrics entries in file order, then matching workloads (brackets in names match literally)', () => {
    expect(ruleFor(gate, run, 'cache.evictions', 'lower')).toMatchObject({ tolerance: { relative: 0.02 }, severity: 'fail' });
    expect(ruleFor(gate, run, 'cache.loads', 'lower')).toMatchObject({ tolerance: { absolute: 3 }, severity: 'fail' });
    expect(ruleFor(gate, { name: 'seq', id: 'seq/8/fifo' }, 'cache.loads', 'lower')).toMatchObject({ severity: 'warn' });
    expect(ruleFor(gate, run, 'read.p99', 'lower')).toMatchObject({ minEffect: 0.5, alpha: 0.05 });
    expect(ruleFor(gate, { name: 'zipf[cache.size=16]', id: 'zipf[cache.size=16]/16/fifo' }, 'read.p99', 'lower')).toMatchObject({ minEffect: 0.2 });
  });

  it('direction overrides: higher-is-better, lower-is-better, neither (any change counts)', () => {
    const g = parseGate('metrics:\n  cache.evictions: { direction: neither }\n  cache.loads: { direction: higher-is-better }\n', 'gate.yaml');
    expect(ruleFor(g, run, 'cache.evictions', 'lower').direction).toBe('neither');
    expect(ruleFor(g, run, 'cache.loads', 'lower').direction).toBe('higher');
    expect(error('metrics:\n  cache.loads: { direction: up }\n')).toMatch(/expected one of higher-is-better, lower-is-better, neither, found "up"/);
  });

  it('the last matching acknowledgement applies, through its until day', () => {
    expect(acknowledgementFor(gate, run, 'cache.loads')?.reason).toBe('last');
    expect(acknowledgementFor(gate, run, 'cache.evictions')?.reason).toBe('first');
    expect(acknowledgementFor(gate, run, 'hitRate')).toBeUndefined();
    const ack = acknowledgementFor(gate, run, 'cache.loads')!;
    expect(acknowledgementHolds(ack, '2026-04-01')).toBe(true);
    expect(acknowledgementHolds(ack, '2026-04-02')).toBe(false);
  });
});
