/**
 * The deterministic scheduler completes a request to an in-memory device inside its step (the
 * backend's readSync/readSparseSync/writeSync) instead of through the backend's async method:
 * the two must give the same results, byte for byte, with faults and power cuts too; and the
 * sync path must really be the one taken.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BlockBackend } from '../../src/io/backend.js';
import { MemoryBackend, MemoryStore } from '../../src/io/memory-backend.js';
import { SparseBuffer } from '../../src/io/sparse-buffer.js';
import { SparseMemoryBackend } from '../../src/io/sparse-memory-backend.js';
import { DeterministicScheduler } from '../../src/io/scheduler.js';
import { buildResults } from '../../src/metrics/results.js';
import { runWorkload } from '../../src/replay/runner.js';
import { parseWorkload } from '../../src/workload/load.js';

/** The backend with only the async methods: the scheduler cannot complete its requests in the step. */
function asyncOnly(inner: BlockBackend): BlockBackend {
  return {
    get name() {
      return inner.name;
    },
    get readOnly() {
      return inner.readOnly;
    },
    read: (b, o, e, g) => inner.read(b, o, e, g),
    ...(inner.readSparse && { readSparse: (...a: Parameters<NonNullable<BlockBackend['readSparse']>>) => inner.readSparse!(...a) }),
    write: (b, o, e, g) => inner.write(b, o, e, g),
    flush: (e, g) => inner.flush(e, g),
    truncate: (s) => inner.truncate(s),
    size: () => inner.size(),
    close: () => inner.close(),
  } as BlockBackend;
}

/** A replay's results file without what wall time and the machine change. */
async function replay(text: string, name: string, set: string[], store: 'metadata' | 'full'): Promise<string> {
  const [w] = parseWorkload(text, name, { set });
  const r = buildResults(w, await runWorkload(w, { qemuCheck: false, inMemory: true, store })) as unknown as Record<string, unknown>;
  const { startedAt: _s, finishedAt: _f, environment: _e, tool: _t, image: _i, ...rest } = r;
  return JSON.stringify(rest, (k, v) => (/wall|durationMs|rss|heap|cpu/i.test(k) ? undefined : v));
}

const FAULTS = `
name: faults
seed: 11
image: { size: 32M, cluster_size: 4k, table_size: 2 }
cache: { size: 2 }
scheduler: { mode: deterministic, reorder: 4, faults: [{ event: l2_load, errno: EIO, when: 0.2 }, { event: read_aio, errno: EIO, when: 0.1 }, { event: write_aio, errno: ENOSPC, when: 0.2 }] }
phases:
  - name: mixed
    jobs:
      - { name: rw, pattern: random, op: mixed, rwmixread: 50, bs: [{ bs: 4k, weight: 50 }, { bs: 1k, weight: 50 }], iodepth: 8, stop: { ops: 400 }, flush_every: 50 }
`;

const CASES: Array<{ name: string; text: () => string; set: string[]; store: 'metadata' | 'full' }> = [
  { name: 'zipf reads, cache 4, metadata-only', text: () => readFileSync('workloads/random-read-zipf.yaml', 'utf8'), set: ['scheduler.mode=deterministic', 'cache.size=4', 'phases[1].jobs[0].stop.ops=4000'], store: 'metadata' },
  { name: 'zipf reads, cache 4, full', text: () => readFileSync('workloads/random-read-zipf.yaml', 'utf8'), set: ['scheduler.mode=deterministic', 'cache.size=4', 'phases[1].jobs[0].stop.ops=4000'], store: 'full' },
  { name: 'faults on l2_load, read_aio and write_aio', text: () => FAULTS, set: [], store: 'full' },
  { name: 'power cut', text: () => readFileSync('workloads/power-cut.yaml', 'utf8'), set: ['scheduler.seed=7'], store: 'full' },
  { name: 'power cut, metadata-only', text: () => readFileSync('workloads/power-cut.yaml', 'utf8'), set: ['scheduler.seed=3'], store: 'metadata' },
];

describe('scheduler: requests completed in the step give what the async path gives', () => {
  afterEach(() => vi.restoreAllMocks());

  it.each(CASES)('$name', async (c) => {
    const inStep = await replay(c.text(), `${c.name}.yaml`, c.set, c.store);
    const attach = DeterministicScheduler.prototype.attach;
    vi.spyOn(DeterministicScheduler.prototype, 'attach').mockImplementation(function (this: DeterministicScheduler, inner: BlockBackend) {
      return attach.call(this, asyncOnly(inner));
    });
    const viaPromises = await replay(c.text(), `${c.name}.yaml`, c.set, c.store);
    expect(inStep.length).toBeGreaterThan(1000);
    if (c.name.startsWith('faults')) expect(inStep).toMatch(/"EIO":[1-9]/);
    expect(viaPromises).toEqual(inStep);
  });

  it('a read of an in-memory device runs readSync in the step, not the async read', async () => {
    const s = new DeterministicScheduler({ seed: 1, reorder: 0, latency: { read: { kind: 'constant', us: 10 }, write: { kind: 'constant', us: 10 }, flush: { kind: 'constant', us: 10 } } });
    const mem = new MemoryBackend();
    await mem.write(new Uint8Array(512).fill(7), 0);
    const readSync = vi.spyOn(mem, 'readSync');
    vi.spyOn(mem, 'read').mockRejectedValue(new Error('the async read was called'));
    const dev = s.attach(mem);
    const buf = new Uint8Array(512);
    await dev.read(buf, 0);
    expect(readSync).toHaveBeenCalledTimes(1);
    expect(buf[511]).toBe(7);
  });

  it('a sparse read (an L2 table load) of an in-memory device runs readSparseSync in the step', async () => {
    const s = new DeterministicScheduler({ seed: 1, reorder: 0, latency: { read: { kind: 'constant', us: 10 }, write: { kind: 'constant', us: 10 }, flush: { kind: 'constant', us: 10 } } });
    const mem = new SparseMemoryBackend(new MemoryStore());
    await mem.write(new Uint8Array(8192).fill(9), 0);
    const readSparseSync = vi.spyOn(mem, 'readSparseSync');
    vi.spyOn(mem, 'readSparse').mockRejectedValue(new Error('the async readSparse was called'));
    const dev = s.attach(mem);
    const dst = new SparseBuffer(8192);
    await dev.readSparse!(dst, 0);
    expect(readSparseSync).toHaveBeenCalledTimes(1);
    expect(dst.bytes[8191]).toBe(9);
  });
});
