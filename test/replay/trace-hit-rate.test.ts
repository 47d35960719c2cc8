// The engine's hit rate on a trace and the cache-only replay's: what each counts, pinned exactly on a small trace.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cacheOnlySweep } from '../../src/experiments/cache-only.js';
import { runWorkload } from '../../src/replay/runner.js';
import { parseWorkload } from '../../src/workload/load.js';
import { formatByName } from '../../src/workload/traces/formats.js';
import type { TraceRequest } from '../../src/workload/traces/types.js';
import { encodeTrace } from '../../src/workload/traces/writer.js';
import { Rng } from '../../src/util/random.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs();
const CLUSTER = 4096;
/** table_size 1: 512 entries of 4 KiB clusters, 2 MiB per L2 table. */
const TABLE_SPAN = 2 << 20;
const TABLES = 24;

/**
 * Two devices, one-cluster requests; each table's first request is a write (a read of a table
 * never written is no lookup in the engine: its L1 entry is 0), then random reads and writes.
 */
function trace(n: number, seed: number): TraceRequest[] {
  const rng = new Rng(seed, 1, 1);
  const at = (table: number) => table * TABLE_SPAN + rng.below(TABLE_SPAN / CLUSTER) * CLUSTER;
  const order = Array.from({ length: TABLES }, (_, t) => t).sort(() => rng.float() - 0.5);
  const first = order.map((t) => ({ op: 'write' as const, offset: at(t) }));
  const rest = Array.from({ length: n }, () => ({ op: rng.float() < 0.6 ? ('read' as const) : ('write' as const), offset: at(rng.below(TABLES)) }));
  return [...first, ...rest].map((r, i) => ({ ...r, time: i * 1000, length: CLUSTER, device: String(rng.below(2)), line: 0 }));
}

describe('engine vs cache-only hit rate on one trace', () => {
  it('differ only by what a lookup is: allocating writes look up twice, a new table is no miss', async () => {
    const dir = await tmp();
    const file = join(dir, 't.csv.gz');
    await writeFile(file, gzipSync(encodeTrace(formatByName('msr')!, trace(3000, 7))));
    const yaml = `
image: { size: ${TABLES * TABLE_SPAN}, cluster_size: ${CLUSTER}, table_size: 1 }
cache: { size: 4, policy: fifo }
scheduler: { mode: deterministic }
phases:
  - jobs:
      - { name: t, trace: { file: t.csv.gz }, iodepth: 1 }
`;
    const engine = await runWorkload(parseWorkload(yaml, join(dir, 'w.yaml'))[0], { inMemory: true });
    const only = await cacheOnlySweep({ file, kind: 'trace', sizes: [4], policies: ['fifo'], trace: { clusterSize: CLUSTER, tableSize: 1 } });
    const e = engine.total.cache;
    const c = only.runs[0].results.total.cache;
    const { tablesAllocated, allocatingWrites } = engine.total.engine;
    expect(tablesAllocated).toBe(TABLES);
    // Cache-only: one lookup per (request, table), devices on one disk as the engine's job has them.
    expect(c.lookups).toBe(3000 + TABLES);
    // The engine: a table's first write allocates it (cache-only: a cold miss); a write that
    // allocates a cluster in an existing table looks the table up again under the allocation lock (a hit).
    const relookups = allocatingWrites - tablesAllocated;
    expect(relookups).toBeGreaterThan(100);
    expect(e.misses).toBe(c.misses - tablesAllocated);
    expect(e.hits).toBe(c.hits + relookups);
    expect(e.lookups).toBe(c.lookups - tablesAllocated + relookups);
    expect(engine.total.hitRate).toBeGreaterThan(only.runs[0].results.total.hitRate);
    // --device all (devices apart, as separate disks): twice the tables in the same 4 entries.
    const apart = await cacheOnlySweep({ file, kind: 'trace', sizes: [4], policies: ['fifo'], trace: { clusterSize: CLUSTER, tableSize: 1, apart: true } });
    expect(apart.runs[0].results.total.cache.lookups).toBe(c.lookups);
    expect(apart.runs[0].results.total.cache.misses).toBeGreaterThan(c.misses);
  });
});
