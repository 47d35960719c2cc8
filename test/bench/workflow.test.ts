/** The example GitHub workflow parses and has the steps docs/benchmarks.md promises. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
}

const workflow = parse(readFileSync(new URL('../../.github/workflows/bench.yml', import.meta.url), 'utf8')) as {
  on: { pull_request: unknown; push: { branches: string[] } };
  jobs: Record<string, { 'runs-on': string; steps: Step[] }>;
};

describe('.github/workflows/bench.yml', () => {
  const steps = Object.values(workflow.jobs)[0].steps;
  const index = (pred: (s: Step) => boolean, what: string): number => {
    const i = steps.findIndex(pred);
    expect(i, `no step that ${what}`).toBeGreaterThanOrEqual(0);
    return i;
  };

  it('runs on pull requests and on pushes to main', () => {
    expect(workflow.on).toHaveProperty('pull_request');
    expect(workflow.on.push.branches).toContain('main');
  });

  it('checks out, sets up Node 20, installs qemu-utils, npm ci, then bench:ci and bench:micro', () => {
    const checkout = index((s) => s.uses?.startsWith('actions/checkout@') ?? false, 'checks out');
    const node = index((s) => s.uses?.startsWith('actions/setup-node@') ?? false, 'sets up Node');
    expect(steps[node].with?.['node-version']).toBe(20);
    const qemu = index((s) => /apt-get install .*qemu-utils/.test(s.run ?? ''), 'installs qemu-utils');
    const ci = index((s) => /^npm ci\b/.test(s.run ?? ''), 'runs npm ci');
    const gate = index((s) => /npm run bench:ci\b/.test(s.run ?? ''), 'runs bench:ci');
    const micro = index((s) => /bench-micro\.js --json > bench-micro\.json/.test(s.run ?? ''), 'writes bench:micro --json');
    expect([checkout, node, qemu, ci, gate].every((v, i, a) => i === 0 || a[i - 1] < v)).toBe(true);
    expect(micro).toBeGreaterThan(ci);
  });

  it('uploads bench:micro with github-action-benchmark (customBiggerIsBetter, alert threshold, comment on alert)', () => {
    const i = index((s) => s.uses?.startsWith('benchmark-action/github-action-benchmark@') ?? false, 'uses github-action-benchmark');
    const w = steps[i].with!;
    expect(w.tool).toBe('customBiggerIsBetter');
    expect(w['output-file-path']).toBe('bench-micro.json');
    expect(String(w['alert-threshold'])).toMatch(/^\d+%$/);
    expect(w['comment-on-alert']).toBe(true);
  });
});
