/**
 * compare across image stores: a metadata-only run against one that moved bytes compares its
 * counters as usual, but refuses (marks, never gates) the rows whose meaning differs: byte
 * integrity counts always, wall-clock timings under real timing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/metrics/results.js';
import type { RepeatedResults } from '../../src/experiments/repeat.js';
import { cli, useTempDir } from '../cli/helpers.js';
import { clone, realResults, writeJson } from './fixtures.js';

const tmp = useTempDir();
let base: RunResults;

beforeAll(async () => {
  base = await realResults();
});

async function compare(change: (b: RepeatedResults, c: RepeatedResults) => void, ...args: string[]) {
  const b = clone(base) as RepeatedResults;
  const c = clone(base) as RepeatedResults;
  change(b, c);
  return cli('compare', await writeJson(tmp.path('base.json'), b), await writeJson(tmp.path('cur.json'), c), ...args);
}

function row(stdout: string, metric: string): string {
  const line = stdout.split('\n').find((l) => l.startsWith(`| ${metric} |`));
  if (!line) throw new Error(`no row for ${metric} in:\n${stdout}`);
  return line;
}

describe('compare across image stores', () => {
  it('memory vs metadata: byte integrity counts are refused with a clear line, counters still gate', async () => {
    const r = await compare((b, c) => {
      b.image.store = 'memory';
      c.image.store = 'metadata';
      c.integrity.lostWrites = 7;
    });
    expect(r.stdout).toContain('different image stores: baseline memory, current metadata');
    expect(row(r.stdout, 'integrity.lostWrites')).toContain('not compared: memory vs metadata store');
    expect(row(r.stdout, 'integrity.lostWrites')).not.toContain('❌');
    expect(r.code).toBe(0);

    const worse = await compare((b, c) => {
      b.image.store = 'memory';
      c.image.store = 'metadata';
      c.total.hitRate -= 0.05;
    });
    expect(worse.code).toBe(1);
    expect(row(worse.stdout, 'hitRate')).toContain('❌');
  });

  it('under wall-clock timing the timings are refused too; under virtual timing they compare', async () => {
    const wall = await compare((b, c) => {
      for (const r of [b, c]) r.timing = 'wall-clock';
      b.image.store = 'file';
      c.image.store = 'metadata';
      c.total.ops.read.iops *= 3;
    }, '--format', 'json');
    const report = JSON.parse(wall.stdout);
    const read = report.runs[0].rows.find((x: { metric: string }) => x.metric === 'read.iops');
    expect(read.verdict).toBe('not-gated');
    expect(read.note).toBe('not compared: file vs metadata store');
    expect(report.runs[0].warnings.join('\n')).toMatch(/wall-clock throughput and latency .* are not compared/);

    const virtual = await compare((b, c) => {
      b.image.store = 'file';
      c.image.store = 'metadata';
    }, '--format', 'json');
    const v = JSON.parse(virtual.stdout);
    expect(v.runs[0].rows.find((x: { metric: string }) => x.metric === 'read.iops').note).not.toMatch(/not compared/);
    expect(v.runs[0].warnings.join('\n')).not.toMatch(/wall-clock/);
  });

  it('memory vs file is the same kind of store: no refusal', async () => {
    const r = await compare((b, c) => {
      b.image.store = 'memory';
      c.image.store = 'file';
      c.integrity.lostWrites = 1;
    });
    expect(r.stdout).not.toContain('different image stores');
    expect(row(r.stdout, 'integrity.lostWrites')).toContain('❌');
  });
});
