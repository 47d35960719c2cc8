import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runWorkload } from '../../src/replay/runner.js';
import { parseWorkload } from '../../src/workload/load.js';
import { RefLru } from '../cache/policy-reference.js';
import { MRC_WORKLOAD } from '../replay/mrc-workload.js';
import { STACK_LINE, cli, cliOk, useTempDir } from './helpers.js';

const tmp = useTempDir();

const lines = (path: string): string[] => readFileSync(path, 'utf8').trimEnd().split('\n');

describe('qed-bench trace-export', () => {
  it('writes .tables and .csv that agree with each other and with the cache counters', async () => {
    const yaml = tmp.path('w.yaml');
    writeFileSync(yaml, MRC_WORKLOAD);
    const prefix = tmp.path('out/trace');
    const r = await cliOk(0, 'trace-export', yaml, '-o', prefix, '-q');
    const tables = lines(`${prefix}.tables`);
    const [header, ...rows] = lines(`${prefix}.csv`);
    expect(header).toBe('time_ns,table,kind,op');
    expect(rows.length).toBe(tables.length);
    const parsed = rows.map((row) => {
      const [time, table, kind, op] = row.split(',');
      return { time: Number(time), table, kind, op };
    });
    parsed.forEach((p, i) => expect(p.table).toBe(tables[i]));
    for (const p of parsed) {
      expect(['hit', 'miss', 'new']).toContain(p.kind);
      expect(['read', 'write', 'zero']).toContain(p.op);
      expect(Number.isSafeInteger(Number(p.table))).toBe(true);
    }
    // Virtual time under the deterministic scheduler: whole ns, never going back.
    for (let i = 1; i < parsed.length; i++) expect(parsed[i].time).toBeGreaterThanOrEqual(parsed[i - 1].time);
    expect(parsed.at(-1)!.time).toBeGreaterThan(0);

    // The same run's own cache counters (deterministic: the same run again).
    const out = await runWorkload(parseWorkload(MRC_WORKLOAD, yaml)[0], { inMemory: true, verify: false });
    const c = out.total.cache;
    const count = (kind: string) => parsed.filter((p) => p.kind === kind).length;
    expect(count('hit')).toBe(c.hits);
    expect(count('miss')).toBe(c.misses);
    expect(count('hit') + count('miss')).toBe(c.lookups);
    expect(count('new')).toBe(out.total.engine.tablesAllocated);
    // Every new table is a table never seen before, and a `new` is the first access to it.
    const seen = new Set<string>();
    for (const p of parsed) {
      if (p.kind === 'new') expect(seen.has(p.table)).toBe(false);
      else expect(seen.has(p.table)).toBe(true); // a lookup follows an L1 entry to an existing table
      seen.add(p.table);
    }
    // The lru cache at iodepth 1: each row's hit/miss is what an LRU of 6 tables says.
    const lru = new RefLru(6);
    for (const p of parsed) {
      const hit = lru.access(Number(p.table));
      if (p.kind !== 'new') expect(hit ? 'hit' : 'miss').toBe(p.kind);
    }

    expect(r.stdout).toContain(`${tables.length} L2 table accesses`);
    expect(r.stdout).toContain(`${c.lookups} lookups (${c.hits} hits, ${c.misses} misses; lru cache of 6 tables)`);
    expect(r.stdout).toContain(`${count('new')} new tables, over ${seen.size} distinct tables`);
    expect(r.stdout).toContain(`${prefix}.tables`);
    expect(r.stdout).toContain('deterministic scheduler, virtual time');
  });

  it('the exported stream, simulated by a plain array LRU, gives the mrc curve exactly', async () => {
    const yaml = tmp.path('w.yaml');
    writeFileSync(yaml, MRC_WORKLOAD);
    const prefix = tmp.path('t');
    await cliOk(0, 'trace-export', yaml, '-o', prefix, '--no-verify', '-q');
    const stream = lines(`${prefix}.tables`).map(Number);
    const r = await cliOk(0, 'mrc', `${prefix}.tables`, '--json');
    const { mrc } = JSON.parse(r.stdout) as { mrc: { lookups: number; distinctTables: number; sizes: number[]; missRatio: number[] } };
    expect(mrc.lookups).toBe(stream.length); // every line of a .tables file is a lookup
    expect(mrc.distinctTables).toBe(new Set(stream).size);
    for (const size of [1, 2, 4, 6, 10, 17, mrc.distinctTables]) {
      const lru = new RefLru(size);
      const misses = stream.filter((t) => !lru.access(t)).length;
      expect(mrc.missRatio[mrc.sizes.indexOf(size)] * stream.length).toBeCloseTo(misses, 6);
    }
  });

  it('refuses a matrix of several runs and a missing -o, naming the fix', async () => {
    const yaml = tmp.path('m.yaml');
    writeFileSync(yaml, `${MRC_WORKLOAD}matrix:\n  cache.size: [2, 4]\n`);
    const r = await cli('trace-export', yaml, '-o', tmp.path('x'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/gives 2 runs; trace-export writes the trace of one/);
    expect(r.stderr).not.toContain(STACK_LINE);
    const r2 = await cli('trace-export', yaml);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/--out <prefix>/);
  });

  it('an output prefix that cannot be created is a usage error naming the path', async () => {
    const yaml = tmp.path('w.yaml');
    writeFileSync(yaml, MRC_WORKLOAD);
    const file = tmp.path('plain-file');
    writeFileSync(file, 'not a directory\n');
    // A directory component that is a regular file: mkdir cannot make it.
    const r = await cli('trace-export', yaml, '-o', `${file}/sub/trace`, '-q');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^qed-bench: .*plain-file\/sub: cannot create the directory for the trace/);
    expect(r.stderr).not.toContain('internal error');
    expect(r.stderr).not.toContain(STACK_LINE);
    // The prefix's file is a directory: the open fails, naming the file.
    const dirPrefix = tmp.path('d');
    await cliOk(0, 'trace-export', yaml, '-o', `${dirPrefix}.tables/x`, '-q', '--no-verify');
    const r2 = await cli('trace-export', yaml, '-o', dirPrefix, '-q');
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(`${dirPrefix}.tables: cannot create the trace file: EISDIR`);
    expect(r2.stderr).not.toContain('internal error');
  });

  it.runIf(existsSync('/dev/full'))('a full disk stops the trace, not the replay: exit 2 naming the file, no stack', async () => {
    const yaml = tmp.path('w.yaml');
    writeFileSync(yaml, MRC_WORKLOAD);
    const prefix = tmp.path('full');
    symlinkSync('/dev/full', `${prefix}.csv`); // every write to it fails with ENOSPC
    const r = await cli('trace-export', yaml, '-o', prefix, '-q', '--no-verify');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^qed-bench: ${prefix}\\.csv: cannot write the trace: ENOSPC.*recording stopped at L2 table access \\d+`));
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toContain(STACK_LINE);
  });
});
