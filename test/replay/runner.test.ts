import { existsSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { environment } from '../../src/metrics/env.js';
import { OPS } from '../../src/metrics/phase.js';
import { RESULTS_SCHEMA, buildResults, toolVersion, workloadHash, type RunResults } from '../../src/metrics/results.js';
import { createImageFile, openImageFile } from '../../src/qed/open-file.js';
import { formatSummary } from '../../src/report/summary.js';
import { runWorkload, type RunOutcome } from '../../src/replay/runner.js';
import { parseWorkload } from '../../src/workload/load.js';
import type { Workload } from '../../src/workload/types.js';
import { findOnPath } from '../helpers/qemu.js';
import { tempDirs } from '../helpers/tmp.js';
import { resultsDocTables } from './results-doc.js';

const tempDir = tempDirs();
const MIXED = 'workloads/mixed-parallel.yaml';
const mixedText = readFileSync(MIXED, 'utf8');
/** mixed-parallel with the prefill as shipped and a mixed phase of 3,200 requests plus flushes. */
const SMALL = [
  'phases[1].jobs[0].stop.ops=400',
  'phases[1].jobs[0].flush_every=100',
  'phases[1].jobs[1].stop.ops=2000',
  'phases[1].jobs[2].stop.ops=800',
];
const HAVE_QEMU = findOnPath('qemu-img') !== null;

/** Counters that add up over phases (the rest of CacheStats are gauges, peaks or settings). */
const ADDITIVE_CACHE = [
  'lookups', 'hits', 'misses', 'loads', 'duplicateLoads', 'commits', 'duplicateCommits', 'evictions',
  'evictionsInUse', 'inUseSkips', 'overCapacityEpisodes', 'requestsCompletedOverCapacity',
] as const;

/** Every numeric leaf of a nested object, by dotted path. */
function leaves(x: unknown, prefix = ''): Map<string, number> {
  const out = new Map<string, number>();
  if (typeof x === 'number') out.set(prefix, x);
  else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) for (const [p, n] of leaves(v, prefix ? `${prefix}.${k}` : k)) out.set(p, n);
  return out;
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('a reduced mixed-parallel replay', () => {
  let w: Workload;
  let out: RunOutcome;
  let results: RunResults;
  const planned = [200, 3200];

  beforeAll(async () => {
    [w] = parseWorkload(mixedText, MIXED, { set: SMALL });
    if (!HAVE_QEMU) console.warn('[runner] qemu-img not on PATH: the qemu-img check part is skipped');
    out = await runWorkload(w, { qemuCheck: HAVE_QEMU ? true : false });
    results = JSON.parse(JSON.stringify(buildResults(w, out))) as RunResults;
  });

  it('passes integrity: every read verified, every write read back, our check and qemu-img check clean', () => {
    const i = out.integrity;
    expect(out.status).toBe('completed');
    expect(i.verdict).toBe('passed');
    expect(i).toMatchObject({ staleReads: 0, lostWrites: 0, corruptSectors: 0, unexpectedData: 0, sectorsUnverifiable: 0, violations: [] });
    expect(i.readsVerified).toBe(out.total.ops.read.ops);
    expect(i.writesTracked).toBe(out.total.ops.write.ops + out.total.ops.zero.ops);
    expect(i.sectorsVerified).toBeGreaterThan(out.total.ops.write.bytes / 512 / 2);
    expect(i.check).toMatchObject({ corruptions: 0, leaks: 0, checkErrors: 0, findings: [] });
    expect(i.check!.allocatedClusters).toBe(out.total.engine.clustersAllocated);
    if (HAVE_QEMU) {
      expect(i.qemuCheck).toMatchObject({ exitCode: 0, corruptions: 0, leaks: 0, checkErrors: 0, allocatedClusters: out.total.engine.clustersAllocated });
    } else {
      expect(i.qemuCheck).toBeNull();
    }
  });

  it('replays every planned request; per-phase request totals equal the sum over operations', () => {
    expect(out.phases.map((p) => p.name)).toEqual(['prefill', 'mixed']);
    expect(out.phases[0].ops.write.ops).toBe(200);
    const mixed = out.phases[1];
    expect(mixed.ops.read.ops + mixed.ops.write.ops).toBe(3200);
    expect(mixed.ops.flush.ops).toBe(4); // seq-writer: a flush after every 100 of its 400 writes
    for (const p of out.phases) {
      expect(p.requests).toBe(sum(OPS.map((o) => p.ops[o].ops)));
      for (const o of OPS) {
        expect(p.ops[o].latency.count, `${p.name} ${o}`).toBe(p.ops[o].ops);
        expect(p.ops[o].errors).toBe(0);
      }
      expect(p.engine.requests.read).toBe(p.ops.read.ops);
      expect(p.engine.requests.write).toBe(p.ops.write.ops);
      expect(p.engine.requests.zero).toBe(p.ops.zero.ops);
      // The runner flushes once more at the end of each phase, outside the request stream.
      expect(p.engine.requests.flush).toBe(p.ops.flush.ops + 1);
      expect(p.engine.requests.failed).toBe(0);
      expect(p.engine.dataWrites.bytes).toBe(p.ops.write.bytes);
      expect(p.errorsByCode).toEqual({});
    }
  });

  it('cache counters are consistent within each phase and with the engine', () => {
    let entries = 0;
    for (const p of out.phases) {
      const c = p.cache;
      expect(c.hits + c.misses, p.name).toBe(c.lookups);
      expect(c.loads).toBe(c.misses); // no failed loads
      expect(c.loads).toBe(p.engine.metadataReads.l2Table.ops);
      expect(c.duplicateLoads).toBeLessThanOrEqual(c.loads);
      // Every load and every new table is committed once; duplicates are dropped.
      expect(c.commits + c.duplicateCommits).toBe(c.loads + p.engine.tablesAllocated);
      expect(c.entries).toBe(entries + c.commits - c.evictions);
      entries = c.entries;
      expect(c.evictionsInUse).toBe(0); // fifo never evicts an in-use table
      expect(c.capacity).toBe(50);
      expect(c.peakEntries).toBeLessThanOrEqual(c.capacity + c.peakOverCapacity);
      expect(c.peakOverCapacity).toBe(Math.max(0, c.peakEntries - c.capacity));
      expect(p.peakEntries).toBe(c.peakEntries);
      expect(p.peakOverCapacity).toBe(c.peakOverCapacity);
      expect(p.requestsCompletedOverCapacity).toBe(c.requestsCompletedOverCapacity);
      expect(p.hitRate).toBeCloseTo(c.hits / c.lookups, 12);
      const mr = p.engine.metadataReads;
      const mw = p.engine.metadataWrites;
      expect(p.metadataReadsPer1000).toBeCloseTo(((mr.header.ops + mr.l1.ops + mr.l2Table.ops) * 1000) / p.requests, 9);
      expect(p.metadataWritesPer1000).toBeCloseTo(((mw.header.ops + mw.l1.ops + mw.l2Table.ops + mw.l2Sector.ops) * 1000) / p.requests, 9);
    }
    // 100 L2 tables for a 50-table cache: the prefill allocates them all and evicts half.
    expect(out.phases[0].engine.tablesAllocated).toBe(100);
    expect(out.phases[0].cache.evictions).toBe(50);
    expect(out.phases[1].cache.misses).toBeGreaterThan(0);
  });

  it('the total is the sum of the phases for additive counters and the maximum for peaks', () => {
    const t = out.total;
    const ps = out.phases;
    expect(t.name).toBe('total');
    expect(t.requests).toBe(sum(ps.map((p) => p.requests)));
    expect(t.durationMs).toBeCloseTo(sum(ps.map((p) => p.durationMs)), 6);
    for (const o of OPS) {
      expect(t.ops[o].ops).toBe(sum(ps.map((p) => p.ops[o].ops)));
      expect(t.ops[o].bytes).toBe(sum(ps.map((p) => p.ops[o].bytes)));
      expect(t.ops[o].latency.count).toBe(sum(ps.map((p) => p.ops[o].latency.count)));
      if (t.ops[o].ops) {
        expect(t.ops[o].latency.maxNs).toBe(Math.max(...ps.map((p) => p.ops[o].latency.maxNs)));
        expect(t.ops[o].latency.minNs).toBe(Math.min(...ps.filter((p) => p.ops[o].ops).map((p) => p.ops[o].latency.minNs)));
      }
    }
    for (const k of ADDITIVE_CACHE) expect(t.cache[k], k).toBe(sum(ps.map((p) => p.cache[k])));
    expect(t.cache.peakEntries).toBe(Math.max(...ps.map((p) => p.cache.peakEntries)));
    expect(t.cache.peakOverCapacity).toBe(Math.max(...ps.map((p) => p.cache.peakOverCapacity)));
    expect(t.cache.entries).toBe(ps[ps.length - 1].cache.entries);
    const engineLeaves = [...leaves(t.engine)];
    expect(engineLeaves.length).toBeGreaterThan(20);
    for (const [path, n] of engineLeaves) expect(n, path).toBe(sum(ps.map((p) => leaves(p.engine).get(path)!)));
    expect(t.cache.hits + t.cache.misses).toBe(t.cache.lookups);
    expect(t.hitRate).toBeCloseTo(t.cache.hits / t.cache.lookups, 12);
    const mr = t.engine.metadataReads;
    expect(t.metadataReadsPer1000).toBeCloseTo(((mr.header.ops + mr.l1.ops + mr.l2Table.ops) * 1000) / t.requests, 9);
    expect(t.timeSeries).toEqual([]);
  });

  it('samples about 200 time-series points per phase, every N requests', () => {
    out.phases.forEach((p, i) => {
      const every = Math.ceil(planned[i] / 200);
      expect(p.timeSeries).toHaveLength(Math.floor(p.requests / every));
      expect(p.timeSeries.length).toBeGreaterThanOrEqual(190);
      p.timeSeries.forEach((pt, k) => {
        expect(pt.requests).toBe((k + 1) * every);
        expect(pt.hitRate).toBeGreaterThanOrEqual(0);
        expect(pt.hitRate).toBeLessThanOrEqual(1);
        expect(pt.cacheEntries).toBeLessThanOrEqual(p.peakEntries);
        expect(pt.inFlight).toBeGreaterThanOrEqual(0);
        if (k) expect(pt.t).toBeGreaterThanOrEqual(p.timeSeries[k - 1].t);
      });
    });
  });

  it('deletes the image it created after a passed run', () => {
    expect(out.image.created).toBe(true);
    expect(out.image.kept).toBe(false);
    expect(out.image.fileBytes).toBeGreaterThan(0);
    expect(existsSync(out.image.path)).toBe(false);
    expect(existsSync(dirname(out.image.path))).toBe(false);
  });

  it('the results file has every field docs/results.md documents', () => {
    const r = results;
    const [top, metrics, integrity] = resultsDocTables();
    expect(top.length).toBeGreaterThanOrEqual(10);
    for (const row of top) {
      if (row.optional) continue;
      for (const name of row.names) {
        const field = name.replace(/\[\]$/, '');
        expect(r, `results.${field}`).toHaveProperty(field);
        const v = (r as unknown as Record<string, unknown>)[field];
        // `{a, b, c}` lists name exactly the keys of an object field.
        if (row.keyLists.length && v && typeof v === 'object' && !Array.isArray(v) && field !== 'workload') {
          expect(Object.keys(v).sort(), field).toEqual([...row.keyLists[0]].sort());
        }
      }
    }
    expect(r.schema).toBe(RESULTS_SCHEMA);
    expect(r.tool).toEqual({ name: 'qed-bench', version: toolVersion(), gitCommit: expect.anything() });
    expect(r.tool.version).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
    expect(r.tool.gitCommit === null || /^[0-9a-f]{40}$/.test(r.tool.gitCommit)).toBe(true);
    expect(r.environment.fingerprint).toBe(environment().fingerprint);
    expect(r.environment.fingerprint.length).toBeGreaterThan(0);
    expect(r.environment.cores).toBeGreaterThan(0);
    expect(r.timing).toBe('wall-clock');
    expect(r.workload.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(r.workload.cache).toEqual({ size: 50, policy: 'fifo' });
    expect(r.workload.phases[1].jobs[1].stop.ops).toBe(2000); // resolved, with the overrides
    expect(r.workload.image.size).toBe(200 * 2 ** 30);
    expect(Date.parse(r.startedAt)).toBeLessThanOrEqual(Date.parse(r.finishedAt));
    expect(new Date(r.startedAt).toISOString()).toBe(r.startedAt);

    expect(metrics.length).toBeGreaterThanOrEqual(10);
    for (const p of [...r.phases, r.total]) {
      for (const row of metrics) {
        for (const name of row.names) {
          const [field, sub] = name.replace(/\[\]$/, '').split('.');
          expect(p, `${p.name}.${field}`).toHaveProperty(field);
          if (sub) expect(Object.keys((p as unknown as Record<string, object>)[field]).sort()).toEqual(sub.replace(/[{}]/g, '').split(',').sort());
        }
      }
      const ops = metrics.find((row) => row.names[0].startsWith('ops.'))!;
      expect(Object.keys(p.ops.read).sort()).toEqual([...ops.keyLists[0]].sort());
      expect(Object.keys(p.ops.flush.latency).sort()).toEqual([...ops.keyLists[1]].sort());
      const cache = metrics.find((row) => row.names[0] === 'cache')!;
      expect(Object.keys(p.cache).sort()).toEqual([...cache.keyLists[0]].sort());
      const series = metrics.find((row) => row.names[0] === 'timeSeries[]')!;
      for (const pt of p.timeSeries.slice(0, 3)) expect(Object.keys(pt).sort()).toEqual([...series.keyLists[0]].sort());
      // engine: `requests{...}`, `metadataReads{...}`, ... then a plain list of scalar counters.
      expect(Object.keys(p.engine.requests).sort()).toEqual(['failed', 'flush', 'read', 'write', 'zero']);
      expect(Object.keys(p.engine.metadataReads).sort()).toEqual(['header', 'l1', 'l2Table']);
      expect(Object.keys(p.engine.metadataWrites).sort()).toEqual(['header', 'l1', 'l2Sector', 'l2Table']);
      for (const k of ['dataReads', 'dataWrites', 'backingReads', 'fillWrites'] as const) expect(Object.keys(p.engine[k]).sort()).toEqual(['bytes', 'ops']);
      const engine = metrics.find((row) => row.names[0] === 'engine')!;
      const scalars = engine.keyLists.find((l) => l.includes('clustersAllocated'))!;
      for (const k of scalars) expect(typeof (p.engine as unknown as Record<string, unknown>)[k], k).toBe('number');
    }
    expect(r.phases[0].timeSeries.length).toBeGreaterThan(0);

    expect(integrity.length).toBeGreaterThanOrEqual(8);
    for (const row of integrity) for (const name of row.names) expect(r.integrity, name).toHaveProperty(name.replace(/\[\]$/, ''));
    const check = integrity.find((row) => row.names[0] === 'check')!;
    expect(Object.keys(r.integrity.check!).sort()).toEqual(check.keyLists[0].map((k) => k.replace(/\[\]$/, '')).sort());
    if (HAVE_QEMU) {
      const q = integrity.find((row) => row.names[0] === 'qemuCheck')!;
      expect(Object.keys(r.integrity.qemuCheck!).sort()).toEqual([...q.keyLists[0]].sort());
    }
  });

  it('the summary names the workload, every phase and the verdict', () => {
    const text = formatSummary(buildResults(w, out));
    expect(text).toContain('mixed-parallel: cache 50 tables, policy fifo, seed 42, image 200 GiB (cluster 64 KiB, table 4)');
    expect(text).toMatch(/^prefill\s+200\s/m);
    expect(text).toMatch(/^mixed\s+3204\s/m);
    expect(text).toContain('integrity: PASSED');
    expect(text).not.toContain('INTERRUPTED');
  });

  it('the summary says what its IOPS and MB/s are over (the whole phase) and what an MB is', () => {
    const r = buildResults(w, out);
    const text = formatSummary(r);
    const lines = text.split('\n');
    const legend = lines.findIndex((l) => l.startsWith('  IOPS, MB/s: '));
    expect(lines[legend - 1]).toMatch(/^total\s+flush\s/); // right under the latency table
    expect(lines[legend]).toContain('(MB = 10^6 bytes) per second of the whole phase');
    // A read's IOPS in the mixed phase is its reads over the phase's whole duration.
    const mixed = r.phases.find((p) => p.name === 'mixed')!;
    expect(mixed.ops.read.iops).toBeCloseTo(mixed.ops.read.ops / (mixed.durationMs / 1000), 6);
  });
});

describe('workload hash', () => {
  const hashOf = (source: string, set: string[] = []): string => workloadHash(parseWorkload(mixedText, source, { set })[0]);

  it('is stable for the same workload, wherever it was loaded from', () => {
    const a = hashOf(MIXED);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(hashOf('/elsewhere/copy.yaml', ['name=mixed-parallel'])).toBe(a);
    expect(hashOf(MIXED, ['cache.size=50'])).toBe(a); // the same value, set explicitly
    // Key order in the file does not matter (canonical JSON).
    const reordered = mixedText.replace('seed: 42\n', '').replace('name: mixed-parallel\n', 'seed: 42\nname: mixed-parallel\n');
    expect(reordered).not.toBe(mixedText);
    expect(workloadHash(parseWorkload(reordered, MIXED)[0])).toBe(a);
  });

  it('ignores fields that are undefined (absent from the JSON), so adding an optional field keeps old hashes', () => {
    const [w] = parseWorkload(mixedText, MIXED);
    const withUndefined = { ...w, image: { ...w.image, someNewOption: undefined } } as Workload;
    expect(workloadHash(withUndefined)).toBe(workloadHash(w));
    expect(workloadHash({ ...w, image: { ...w.image, someNewOption: 1 } } as Workload)).not.toBe(workloadHash(w));
  });

  it('differs when the cache size, policy, seed or a job differs', () => {
    const a = hashOf(MIXED);
    const others = [['cache.size=16'], ['cache.policy=fifo-unsafe'], ['seed=43'], ['phases[1].jobs[1].iodepth=4']].map((s) => hashOf(MIXED, s));
    expect(new Set([a, ...others]).size).toBe(5);
  });

  it('is what the results file records', () => {
    const [w] = parseWorkload(mixedText, MIXED, { set: ['cache.size=16'] });
    expect(buildResults(w, {} as RunOutcome).workload.hash).toBe(workloadHash(w));
    expect(buildResults(w, {} as RunOutcome).workload.source).toBe(MIXED);
  });
});

const TWO_PHASES = `name: two-phases
seed: 5
image: { size: 256M, cluster_size: 4k, table_size: 2 }
cache: { size: 4 }
phases:
  - name: first
    jobs:
      - { name: w, pattern: random, op: write, bs: 4k, iodepth: 4, region: { span: 8M }, stop: { ops: 2000 } }
      - { name: r, pattern: random, op: read, bs: 4k, iodepth: 4, region: { span: 8M }, stop: { ops: 2000 } }
  - name: second
    jobs:
      - { name: s, pattern: sequential, op: write, bs: 4k, iodepth: 2, stop: { ops: 100 } }
`;

describe('interrupting a replay', () => {
  it('an already-aborted signal: status interrupted, no phases, an empty total, nothing written', async () => {
    const [w] = parseWorkload(TWO_PHASES, 'two-phases.yaml');
    const ac = new AbortController();
    ac.abort();
    const r = await runWorkload(w, { signal: ac.signal, qemuCheck: false });
    expect(r.status).toBe('interrupted');
    expect(r.phases).toEqual([]);
    expect(r.total.requests).toBe(0);
    expect(r.total.cache.lookups).toBe(0);
    expect(r.total.engine.requests.write).toBe(0);
    expect(r.integrity).toMatchObject({ verdict: 'passed', writesTracked: 0, readsVerified: 0 });
    expect(existsSync(r.image.path)).toBe(false);
    expect(formatSummary(buildResults(w, r))).toContain('[INTERRUPTED]');
  });

  it('aborted during the first phase: that phase drains and is reported partially, the next never starts', async () => {
    const [w] = parseWorkload(TWO_PHASES, 'two-phases.yaml');
    const ac = new AbortController();
    let abortedAt = -1;
    const r = await runWorkload(w, {
      signal: ac.signal,
      qemuCheck: false,
      onProgress: (p) => {
        if (p.stage === 'replay' && p.done >= 256 && abortedAt < 0) {
          abortedAt = p.done;
          ac.abort();
        }
      },
    });
    expect(abortedAt).toBe(256);
    expect(r.status).toBe('interrupted');
    expect(r.phases.map((p) => p.name)).toEqual(['first']);
    const first = r.phases[0];
    // The requests in flight when it stopped (at most the 8 workers' worth) complete and count.
    expect(first.requests).toBeGreaterThanOrEqual(256);
    expect(first.requests).toBeLessThanOrEqual(256 + 8);
    expect(r.total.requests).toBe(first.requests);
    // What was written is verified: a drained replay is still a consistent one.
    expect(r.integrity.verdict).toBe('passed');
    expect(r.integrity.writesTracked).toBe(first.ops.write.ops);
    expect(r.integrity.sectorsVerified).toBeGreaterThan(0);
    expect(r.integrity.check).toMatchObject({ corruptions: 0, leaks: 0 });
  });
});

describe('an existing image (image.path)', () => {
  it('is verified where written, unverifiable elsewhere, and never deleted', async () => {
    const dir = await tempDir();
    const path = join(dir, 'given.qed');
    await createImageFile(path, { size: 64 << 20, clusterSize: 4096, tableSize: 2 });
    const pre = await openImageFile(path);
    await pre.write(new Uint8Array(64 * 1024).fill(0xee), 0); // foreign data the run cannot predict
    await pre.close();
    const yaml = `image: { path: given.qed }
phases:
  - jobs:
      - { name: w, pattern: sequential, op: write, bs: 4k, iodepth: 2, region: { offset: 32k, span: 64k }, stop: { ops: 8 } }
  - jobs:
      - { name: r, pattern: sequential, op: read, bs: 16k, iodepth: 1, region: { span: 128k }, stop: { ops: 8 } }
`;
    const [w] = parseWorkload(yaml, join(dir, 'given.yaml'));
    const r = await runWorkload(w, { qemuCheck: false });
    expect(r.image).toMatchObject({ path, created: false, kept: true });
    expect(existsSync(path)).toBe(true);
    expect(r.integrity.verdict).toBe('passed');
    // Reads: 256 sectors, 64 of them written by this run (32k-96k); read-back: those 64 again.
    expect(r.integrity.sectorsVerified).toBe(64 + 64);
    expect(r.integrity.sectorsUnverifiable).toBe(256 - 64);
    await rm(join(dir, 'given.qed'));
  });
});
