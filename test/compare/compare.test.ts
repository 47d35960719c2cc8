/**
 * `qed-bench compare` end to end, in-process: real results of a tiny deterministic replay,
 * perturbed copies, gate files, exit codes, Markdown/text/JSON, exporters, step summary.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/metrics/results.js';
import { SWEEP_SCHEMA, type SweepResults } from '../../src/metrics/sweep-results.js';
import type { RepeatedResults } from '../../src/experiments/repeat.js';
import { STACK_LINE, cli, cliOk, useTempDir } from '../cli/helpers.js';
import { clone, realResults, repeatedResults, writeJson } from './fixtures.js';

const tmp = useTempDir();
let base: RunResults;

beforeAll(async () => {
  base = await realResults();
});

/** Write baseline and current (a perturbed copy) and compare them. */
async function compare(change: (r: RepeatedResults) => void, ...args: string[]) {
  const cur = clone(base) as RepeatedResults;
  change(cur);
  const b = await writeJson(tmp.path('base.json'), base);
  const c = await writeJson(tmp.path('cur.json'), cur);
  return cli('compare', b, c, ...args);
}

async function gateFile(text: string): Promise<string> {
  const p = tmp.path('gate.yaml');
  await writeFile(p, text);
  return p;
}

/** The Markdown table row of one metric. */
function row(stdout: string, metric: string): string {
  const line = stdout.split('\n').find((l) => l.startsWith(`| ${metric} |`));
  if (!line) throw new Error(`no row for ${metric} in:\n${stdout}`);
  return line;
}

const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

describe('counters (tier 1)', () => {
  it('the real replay did real work: misses, evictions, verified reads', () => {
    expect(base.timing).toBe('virtual');
    expect(base.total.cache.loads).toBeGreaterThan(10);
    expect(base.total.cache.evictions).toBeGreaterThan(10);
    expect(base.total.hitRate).toBeGreaterThan(0.1);
    expect(base.total.hitRate).toBeLessThan(0.95);
    expect(base.integrity.verdict).toBe('passed');
  });

  it('identical results pass with exit 0', async () => {
    const r = await compare(() => {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^## qed-bench compare: ✅ no regressions/);
    expect(row(r.stdout, 'hitRate')).toMatch(/\| 0 \| ✅ \|$/);
    expect(r.stderr).toBe('');
  });

  it('a lower hit rate is a regression: exit 1, ❌ on its row', async () => {
    const r = await compare((c) => (c.total.hitRate -= 0.05));
    expect(r.code).toBe(1);
    expect(row(r.stdout, 'hitRate')).toContain('-5.00 pp');
    expect(row(r.stdout, 'hitRate')).toContain('❌');
    expect(r.stdout).toMatch(/❌ 1 regression/);
  });

  it('a higher hit rate and fewer loads are improvements, not failures', async () => {
    const r = await compare((c) => {
      c.total.hitRate += 0.05;
      c.total.cache.loads -= 3;
    });
    expect(r.code).toBe(0);
    expect(row(r.stdout, 'hitRate')).toContain('✅ improved');
    expect(row(r.stdout, 'cache.loads')).toContain('✅ improved');
    expect(r.stdout).toContain('2 improvements');
  });

  it('--strict-counters fails an improvement too (a deterministic baseline must be updated on purpose)', async () => {
    const r = await compare((c) => (c.total.hitRate += 0.05), '--strict-counters');
    expect(r.code).toBe(1);
    expect(row(r.stdout, 'hitRate')).toContain('❌');
    expect(row(r.stdout, 'hitRate')).toContain('update the baseline');
    expect((await compare(() => {}, '--strict-counters')).code).toBe(0);
  });

  it('--strict-counters fails a worse change the gate tolerates, and one beyond it (no tolerance, no acknowledgement)', async () => {
    const gate = await gateFile('metrics:\n  cache.loads: { tolerance: 5 }\n  cache.evictions: { tolerance: 10% }\nacknowledge:\n  - { workload: "*", metric: cache.evictions, until: "2999-12-31", reason: known }\n');
    expect((await compare((c) => (c.total.cache.loads += 5), '--gate', gate)).code).toBe(0);
    const within = await compare((c) => (c.total.cache.loads += 5), '--gate', gate, '--strict-counters');
    expect(within.code).toBe(1);
    expect(row(within.stdout, 'cache.loads')).toContain('❌');
    expect(row(within.stdout, 'cache.loads')).toContain("within the gate's tolerance (±5), but counters must not change (--strict-counters): update the baseline on purpose");
    const moreEvictions = (c: RepeatedResults) => (c.total.cache.evictions += Math.max(1, Math.ceil(base.total.cache.evictions * 0.2)));
    expect((await compare(moreEvictions, '--gate', gate)).code).toBe(0); // acknowledged
    const beyond = await compare(moreEvictions, '--gate', gate, '--strict-counters');
    expect(beyond.code).toBe(1);
    expect(row(beyond.stdout, 'cache.evictions')).toContain('❌ counters must not change (--strict-counters): update the baseline on purpose');
  });

  it('more metadata reads are worse (direction per metric)', async () => {
    const r = await compare((c) => (c.total.metadataReadsPer1000 += 1));
    expect(r.code).toBe(1);
    expect(row(r.stdout, 'metadataReadsPer1000')).toContain('❌');
  });

  it('honours absolute and relative tolerances, and a direction override', async () => {
    const abs = await gateFile('metrics:\n  cache.loads: { tolerance: 5 }\n');
    const within = await compare((c) => (c.total.cache.loads += 5), '--gate', abs);
    expect(within.code).toBe(0);
    expect(row(within.stdout, 'cache.loads')).toContain('within tolerance (±5)');
    expect((await compare((c) => (c.total.cache.loads += 6), '--gate', abs)).code).toBe(1);

    const rel = await gateFile('metrics:\n  cache.*: { tolerance: 10% }\n');
    const tenth = Math.floor(base.total.cache.evictions * 0.1);
    expect((await compare((c) => (c.total.cache.evictions += tenth), '--gate', rel)).code).toBe(0);
    expect((await compare((c) => (c.total.cache.evictions += tenth + 2), '--gate', rel)).code).toBe(1);

    const flipped = await gateFile('metrics:\n  cache.evictions: { direction: higher-is-better }\n');
    const more = await compare((c) => (c.total.cache.evictions += 1), '--gate', flipped);
    expect(more.code).toBe(0);
    expect(row(more.stdout, 'cache.evictions')).toContain('improved');
  });

  it('severity warn and per-workload overrides (glob or exact name; later entries win)', async () => {
    const gate = await gateFile(['metrics:', '  hitRate: { severity: warn }', 'workloads:', '  "ti*":', '    hitRate: { severity: fail }', '  other:', '    hitRate: { severity: warn }', ''].join('\n'));
    expect((await compare((c) => (c.total.hitRate -= 0.01), '--gate', gate)).code).toBe(1);
    const warnOnly = await gateFile('workloads:\n  "tiny/3/fifo":\n    hitRate: { severity: warn }\n');
    const r = await compare((c) => (c.total.hitRate -= 0.01), '--gate', warnOnly);
    expect(r.code).toBe(0);
    expect(row(r.stdout, 'hitRate')).toContain('⚠️ severity warn in the gate');
  });

  it('an acknowledged regression passes with a warning and its reason; an expired one fails and says so', async () => {
    const ack = (until: string) => gateFile(`acknowledge:\n  - { workload: tiny, metric: hitRate, until: ${until}, reason: "fifo trades hits for safety (#12)" }\n`);
    const ok = await compare((c) => (c.total.hitRate -= 0.02), '--gate', await ack(isoDay(1)));
    expect(ok.code).toBe(0);
    expect(row(ok.stdout, 'hitRate')).toContain(`⚠️ acknowledged until ${isoDay(1)}: fifo trades hits for safety (#12)`);
    expect(ok.stdout).toContain('1 warning');

    const today = await compare((c) => (c.total.hitRate -= 0.02), '--gate', await ack(isoDay(0)));
    expect(today.code).toBe(0);

    const expired = await compare((c) => (c.total.hitRate -= 0.02), '--gate', await ack(isoDay(-1)));
    expect(expired.code).toBe(1);
    expect(row(expired.stdout, 'hitRate')).toContain(`❌ acknowledgement expired on ${isoDay(-1)} (fifo trades hits for safety (#12))`);
  });

  it('an acknowledgement that matched no regression is reported, so stale ones get removed', async () => {
    const gate = await gateFile(`acknowledge:\n  - { workload: tiny, metric: cache.loads, until: ${isoDay(30)}, reason: old }\n`);
    const r = await compare(() => {}, '--gate', gate);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/acknowledge\[0\] \(tiny, cache.loads\) matched no regression/);
  });

  it('a failed integrity verdict always fails, whatever the gate says', async () => {
    const gate = await gateFile('metrics:\n  "*": { severity: warn }\n');
    const r = await compare((c) => {
      c.integrity.verdict = 'failed';
      c.integrity.lostWrites = 8;
    }, '--gate', gate);
    expect(r.code).toBe(1);
    expect(row(r.stdout, 'integrity.verdict')).toMatch(/❌ integrity failed \(8 lost, 0 stale, 0 corrupt sectors\)/);
  });
});

describe('power-cut recovery counters', () => {
  let cut: RunResults;
  beforeAll(async () => {
    cut = await realResults(['scheduler.power_cut.after_requests=40', 'scheduler.power_cut.tear=true']);
  });
  async function compareCut(change: (r: RepeatedResults) => void) {
    const cur = clone(cut) as RepeatedResults;
    change(cur);
    return cli('compare', await writeJson(tmp.path('b.json'), cut), await writeJson(tmp.path('c.json'), cur));
  }

  it('are compared exactly when the run has a power cut; either direction of writesUndone is a change', async () => {
    expect(cut.recovery!.writesUndone).toBeGreaterThan(0);
    const same = await compareCut(() => {});
    expect(same.code).toBe(0);
    expect(row(same.stdout, 'recovery.writesUndone')).toContain(`| ${cut.recovery!.writesUndone} | ${cut.recovery!.writesUndone} | 0 | ✅ |`);
    for (const d of [1, -1]) {
      const r = await compareCut((c) => (c.recovery!.writesUndone += d));
      expect(r.code).toBe(1);
      expect(row(r.stdout, 'recovery.writesUndone')).toContain('❌ changed (neither direction is better)');
    }
    expect((await compareCut((c) => (c.recovery!.lostFlushedWrites += 1))).code).toBe(1);
  });

  it('a run without the power cut on one side: missing (exit 2), or new (reported)', async () => {
    const gone = await compareCut((c) => (c.recovery = null));
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain('metric recovery.writesUndone is missing');
    const added = await cli('compare', await writeJson(tmp.path('b.json'), { ...clone(cut), recovery: null }), await writeJson(tmp.path('c.json'), cut));
    expect(added.code).toBe(0);
    expect(row(added.stdout, 'recovery.writesUndone')).toContain('➖ not gated: not in the baseline');
  });

  it('runs without a power cut have no recovery rows', async () => {
    const r = await compare(() => {});
    expect(r.stdout).not.toContain('recovery.');
  });
});

describe('errors (exit 2)', () => {
  it('a baseline run with no current counterpart names the baseline file (--pair given, so no automatic pairing)', async () => {
    const r = await compare((c) => (c.workload.cache.size = 4), '--pair', 'tiny/9/fifo=tiny/4/fifo');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--pair: no run "tiny/9/fifo" in');
    expect(r.stderr).toContain(`${tmp.path('base.json')}: baseline run tiny (cache 3, fifo) has no counterpart in ${tmp.path('cur.json')}`);
    expect(r.stdout).toContain('run tiny (cache 4, fifo) is not in the baseline');
  });

  it('a gated metric missing names the file and the metric', async () => {
    const r = await compare((c) => delete (c.total.cache as Partial<RunResults['total']['cache']>).evictions);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${tmp.path('cur.json')}: run tiny (cache 3, fifo): metric cache.evictions is missing`);
  });

  it('bad files: not JSON, another schema, missing, an empty directory; no stack trace', async () => {
    const good = await writeJson(tmp.path('good.json'), base);
    await writeFile(tmp.path('bad.json'), '{"schema": "qed-bench/results@1",');
    await writeJson(tmp.path('other.json'), { schema: 'something/else@1' });
    await mkdir(tmp.path('empty'));
    const cases: Array<[string, RegExp]> = [
      [tmp.path('bad.json'), /bad\.json:1:34: not valid JSON/],
      [tmp.path('other.json'), /other\.json: not a qed-bench results file \(schema "something\/else@1"; expected "qed-bench\/results@1" or "qed-bench\/sweep@1"\)/],
      [tmp.path('nope.json'), /nope\.json: cannot read: no such file or directory/],
      [tmp.path('empty'), /empty: no \*\.json results files in this directory/],
    ];
    for (const [path, message] of cases) {
      const r = await cli('compare', good, path);
      expect(r.code, path).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toContain(STACK_LINE);
    }
  });

  it('--export without --export-out is a usage error', async () => {
    const good = await writeJson(tmp.path('good.json'), base);
    const r = await cli('compare', good, good, '--export', 'bencher');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--export bencher needs --export-out FILE');
  });
});

describe('inputs: directories and sweep files', () => {
  it('matches runs across a directory and a sweep file by name, cache size and policy', async () => {
    const other = clone(base);
    other.workload.cache.size = 8;
    await mkdir(tmp.path('dir'));
    await writeJson(tmp.path('dir/a.json'), base);
    await writeJson(tmp.path('dir/b.json'), other);
    const worse = clone(other);
    worse.total.hitRate -= 0.01;
    const sweep: SweepResults = {
      schema: SWEEP_SCHEMA,
      tool: base.tool,
      environment: base.environment,
      sweep: { workload: 'tiny', file: 'tiny.yaml', set: [], sizes: [3, 8], policies: ['fifo'], shards: null, timing: 'deterministic', jobs: 1, elapsedMs: 1, status: 'completed' },
      runs: [
        { size: 3, policy: 'fifo', results: base },
        { size: 8, policy: 'fifo', results: worse },
      ],
    };
    const sweepFile = await writeJson(tmp.path('sweep.json'), sweep);
    const r = await cli('compare', tmp.path('dir'), sweepFile, '--format', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.runs.map((x: { id: string; verdict: string }) => [x.id, x.verdict])).toEqual([
      ['tiny/3/fifo', 'pass'],
      ['tiny/8/fifo', 'fail'],
    ]);
    expect(report.runs[1].baselineFile).toBe(tmp.path('dir/b.json'));
  });

  it('Markdown puts failing runs first and folds unchanged ones into one block', async () => {
    const other = clone(base);
    other.workload.cache.size = 8;
    const worse = clone(other);
    worse.total.cache.loads += 1;
    for (const [dir, runs] of [['mb', [base, other]], ['mc', [base, worse]]] as const) {
      await mkdir(tmp.path(dir));
      await writeJson(tmp.path(`${dir}/a.json`), runs[0]);
      await writeJson(tmp.path(`${dir}/b.json`), runs[1]);
    }
    const r = await cli('compare', tmp.path('mb'), tmp.path('mc'));
    expect(r.code).toBe(1);
    const failing = r.stdout.indexOf('### ❌ tiny (cache 8, fifo)');
    const folded = r.stdout.indexOf('<summary>✅ 1 run with no change</summary>');
    expect(failing).toBeGreaterThan(0);
    expect(folded).toBeGreaterThan(failing);
    expect(r.stdout.indexOf('#### tiny (cache 3, fifo)')).toBeGreaterThan(folded);
  });

  it('the same run twice on one side is an error naming both files', async () => {
    await mkdir(tmp.path('dup'));
    await writeJson(tmp.path('dup/a.json'), base);
    await writeJson(tmp.path('dup/b.json'), base);
    const r = await cli('compare', tmp.path('dup'), tmp.path('dup'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${tmp.path('dup/b.json')}: run tiny (cache 3, fifo) also appears in ${tmp.path('dup/a.json')}`);
  });
});

describe('timings (tier 2)', () => {
  // Noise: each repeat under another scheduler seed (completion order, lognormal latencies).
  // Latencies 30% longer: about 19% fewer IOPS (the virtual clock also counts think-free gaps).
  const SLOWER = ['scheduler.latency.read=lognormal:130us:0.3', 'scheduler.latency.write=lognormal:260us:0.3'];
  let a: RepeatedResults;
  let noise: RepeatedResults;
  let slow: RepeatedResults;
  beforeAll(async () => {
    a = await repeatedResults(base, [1, 2, 3, 4]);
    noise = await repeatedResults(base, [5, 6, 7, 8]);
    slow = await repeatedResults(base, [1, 2, 3, 4], SLOWER);
  }, 30_000);

  async function compareTimings(b: RepeatedResults, c: RepeatedResults, ...args: string[]) {
    return cli('compare', await writeJson(tmp.path('b.json'), b), await writeJson(tmp.path('c.json'), c), ...args);
  }

  it("a flush's rate is not compared (flushes per second of a phase), its latency is", async () => {
    const withFlush = (r: RunResults): RunResults => {
      const out = clone(r);
      out.total.ops.flush = { ...clone(out.total.ops.read), ops: 4, bytes: 0, iops: 3, mbPerSec: 0 };
      return out;
    };
    const cur = withFlush(base);
    cur.total.ops.flush.iops = 1;
    const r = await compareTimings(withFlush(base) as RepeatedResults, cur as RepeatedResults, '--format', 'json');
    const metrics = JSON.parse(r.stdout).runs[0].rows.map((x: { metric: string }) => x.metric);
    expect(metrics).toContain('flush.p50');
    expect(metrics).toContain('read.iops');
    expect(metrics).not.toContain('flush.iops');
    expect(metrics).not.toContain('flush.mbPerSec');
  });

  it('a real 20% slowdown with low noise fails', async () => {
    const r = await compareTimings(a, slow);
    expect(r.code).toBe(1);
    const drop = -JSON.parse((await compareTimings(a, slow, '--format', 'json')).stdout).runs[0].rows.find((x: { metric: string }) => x.metric === 'read.iops').relative;
    expect(drop).toBeGreaterThan(0.17);
    expect(drop).toBeLessThan(0.23);
    expect(row(r.stdout, 'read.iops')).toMatch(/❌ p \d/);
    expect(row(r.stdout, 'read.iops')).toContain('(n=4)');
  });

  it('the same slowdown passes when the minimum effect is above it', async () => {
    const gate = await gateFile('metrics:\n  "*.iops": { min_effect: 30% }\n  "*.mbPerSec": { min_effect: 30% }\n  "*.p50": { min_effect: 40% }\n  "*.p99": { min_effect: 60% }\n');
    const r = await compareTimings(a, slow, '--gate', gate);
    expect(r.stdout).toMatch(/below the 30% minimum effect/);
    expect(r.code).toBe(0);
  });

  it('the reverse (20% faster) is an improvement', async () => {
    const r = await compareTimings(slow, a);
    expect(r.code).toBe(0);
    expect(row(r.stdout, 'read.iops')).toContain('improved');
  });

  it('noise alone does not fail', async () => {
    const r = await compareTimings(a, noise);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('❌');
  });

  it('single samples are reported but never gated, and the output says so', async () => {
    const b = clone(base);
    const c = clone(base);
    c.total.ops.read.iops /= 2;
    c.total.ops.read.latency.p99 *= 3;
    const r = await compareTimings(b, c);
    expect(r.code).toBe(0);
    expect(row(r.stdout, 'read.iops')).toContain('-50.0%');
    expect(row(r.stdout, 'read.iops')).toContain('➖ not gated: single sample');
    expect(r.stdout).toContain('timings from single samples are reported but never gated');
  });

  it('repeats on one side only: still not gated', async () => {
    const r = await compareTimings(a, base);
    expect(r.code).toBe(0);
    expect(row(r.stdout, 'read.iops')).toContain('not gated');
  });
});

describe('warnings', () => {
  it('results of a version before the canonical scheduler order are warned about, not failed', async () => {
    expect(base.tool.version).toMatch(/^0\.([2-9]|\d\d)\./); // this build's results
    const r = await compare((c) => {
      c.tool.version = '0.1.0';
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`made by different qed-bench versions (${base.tool.version} → 0.1.0): from 0.2.0 the deterministic scheduler ranks its queue canonically`);
  });

  it('different environment fingerprints and a changed workload are warned about, not failed', async () => {
    const r = await compare((c) => {
      c.environment.fingerprint = 'v20.0.0|linux|arm64|other cpu|64';
      c.workload.hash = 'f'.repeat(64);
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('different environments');
    expect(r.stdout).toContain('v20.0.0|linux|arm64|other cpu|64');
    expect(r.stdout).toContain('counters under the deterministic scheduler are machine-independent');
    expect(r.stdout).toContain('the workload changed (hash');
  });
});

describe('outputs', () => {
  const saved = process.env.GITHUB_STEP_SUMMARY;
  afterEach(() => {
    if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY;
    else process.env.GITHUB_STEP_SUMMARY = saved;
  });

  it('appends the Markdown summary to $GITHUB_STEP_SUMMARY, whatever --format', async () => {
    const summary = tmp.path('step-summary.md');
    await writeFile(summary, '# earlier step\n');
    process.env.GITHUB_STEP_SUMMARY = summary;
    const r = await compare((c) => (c.total.hitRate -= 0.01), '--format', 'text');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^compare /);
    expect(r.stdout).toMatch(/FAIL 1 regression \(exit 1\)\n$/);
    const text = await readFile(summary, 'utf8');
    expect(text.startsWith('# earlier step\n## qed-bench compare: ❌ 1 regression')).toBe(true);
    expect(text).toContain('| hitRate |');
  });

  it('says why nothing was compared in $GITHUB_STEP_SUMMARY on bad input', async () => {
    const summary = tmp.path('step-summary.md');
    process.env.GITHUB_STEP_SUMMARY = summary;
    const good = await writeJson(tmp.path('good.json'), base);
    expect((await cli('compare', good, tmp.path('missing.json'))).code).toBe(2);
    expect(await readFile(summary, 'utf8')).toMatch(/🛑 error[\s\S]*missing\.json: cannot read/);
  });

  it('JSON for machines: schema, runs, rows, exit code', async () => {
    const r = await compare((c) => (c.total.hitRate -= 0.01), '--format', 'json');
    const report = JSON.parse(r.stdout);
    expect(report.schema).toBe('qed-bench/compare@1');
    expect(report.exitCode).toBe(1);
    const hit = report.runs[0].rows.find((x: { metric: string }) => x.metric === 'hitRate');
    expect(hit).toMatchObject({ tier: 'counter', better: 'higher', verdict: 'fail', baseline: base.total.hitRate });
    expect(hit.delta).toBeCloseTo(-0.01, 12);
  });

  it('exporters: github-action-benchmark bigger/smaller lists and Bencher Metric Format', async () => {
    const withRepeats = await repeatedResults(base, [1, 2, 3]);
    const file = await writeJson(tmp.path('cur.json'), withRepeats);
    const read = async (format: string) => {
      const out = tmp.path(`${format}.json`);
      await cliOk(0, 'compare', file, file, '--export', format, '--export-out', out);
      return JSON.parse(await readFile(out, 'utf8'));
    };
    const bigger = await read('github-bigger');
    const smaller = await read('github-smaller');
    for (const list of [bigger, smaller]) {
      for (const e of list) {
        expect(Object.keys(e).every((k) => ['name', 'unit', 'value', 'range', 'extra'].includes(k))).toBe(true);
        expect(typeof e.name).toBe('string');
        expect(typeof e.unit).toBe('string');
        expect(Number.isFinite(e.value)).toBe(true);
      }
    }
    expect(bigger.map((e: { name: string }) => e.name)).toEqual(expect.arrayContaining(['tiny (cache 3, fifo) hitRate', 'tiny (cache 3, fifo) read.iops']));
    expect(bigger.some((e: { name: string }) => e.name.endsWith('p99'))).toBe(false);
    const p99 = smaller.find((e: { name: string }) => e.name === 'tiny (cache 3, fifo) read.p99');
    expect(p99).toMatchObject({ unit: 'ns', range: expect.stringMatching(/^± /), extra: expect.stringContaining('mean of 3 repeats') });
    expect(smaller.find((e: { name: string }) => e.name.endsWith(' cache.loads')).value).toBe(base.total.cache.loads);

    const bmf = await read('bencher');
    const bench = bmf['tiny (cache 3, fifo)'];
    expect(bench['hit-rate']).toEqual({ value: base.total.hitRate });
    expect(bench['metadata-reads-per1000']).toEqual({ value: base.total.metadataReadsPer1000 });
    const iops = bench['read-iops'];
    expect(iops.lower_value).toBeLessThanOrEqual(iops.value);
    expect(iops.upper_value).toBeGreaterThanOrEqual(iops.value);
    expect(iops.upper_value).toBeGreaterThan(iops.lower_value);
  });
});
