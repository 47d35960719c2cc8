/**
 * bench:sim, the cache alone: lookups per second of L2Cache.access (the simulator's whole access:
 * find, and on a miss alloc, commit, acquire; then unref) for every policy, from memory on both
 * streams, and from the zipf stream's `.tables` file through the cache-only sweep (reading and
 * parsing included), each (policy, repetition) in a fresh worker so the call sites see one
 * policy class. A first row, "(Map.get alone)", times one Map lookup per access on a Map of
 * `capacity` tables: the floor of a Map-based cache and a yardstick for how busy the machine is.
 * With --libcachesim, libCacheSim's cachesim runs right after each of our runs on the same
 * stream (its oracleGeneral file), and each pair gives one ratio.
 */
import { L2Cache } from '../../src/cache/l2-cache.js';
import { createPolicy } from '../../src/cache/policies/index.js';
import { cacheOnlySweep } from '../../src/experiments/cache-only.js';
import { table } from '../../src/report/text-table.js';
import { elapsedNs, opsPerSec, rotation } from '../lib/samples.js';
import { EXACT_PREFIX, LIBCACHESIM_POLICIES, runLibCacheSim, type LibCacheSimRun } from './libcachesim.js';
import { spread, STREAMS, type StreamName, type Streams } from './streams.js';

/** Accesses of the untimed warm-up (JIT) before each timed run, from memory and from the file. */
export const WARM_ACCESSES = 300_000;

/** Pseudo-policy: a bare Map lookup per access. */
export const BASELINE = '(Map.get alone)';

export interface CacheAloneJob {
  task: 'cache-alone';
  policy: string;
  capacity: number;
  streams: Streams;
  /** The zipf stream as a `.tables` file. */
  tablesFile: string;
  /** Its first WARM_ACCESSES lines, run untimed first. */
  warmTablesFile: string;
}

export interface StreamSample {
  stream: StreamName;
  ns: number;
  /** CPU time of the worker's process during the run (the main thread only waits). */
  cpuNs: number;
  lookups: number;
  hits: number;
  misses: number;
}

export interface CacheAloneSample {
  memory: StreamSample[];
  file: { ns: number; cpuNs: number; lookups: number; misses: number } | null;
}

function replay(policy: string, capacity: number, stream: Float64Array): { ns: number; cpuNs: number; cache: L2Cache<object> } {
  const cache = new L2Cache<object>(capacity, createPolicy(policy));
  const table = {};
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < stream.length; i++) cache.access(stream[i], table);
  const ns = elapsedNs(t0);
  return { ns, cpuNs: cpuNs(c0), cache };
}

function cpuNs(since: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(since);
  return (c.user + c.system) * 1000;
}

/** One Map.get per access on a Map of the first `capacity` distinct tables of the stream. */
function baseline(capacity: number, stream: Float64Array): { ns: number; cpuNs: number; hits: number } {
  const map = new Map<number, object>();
  for (let i = 0; i < stream.length && map.size < capacity; i++) map.set(stream[i], {});
  let hits = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < stream.length; i++) if (map.get(stream[i]) !== undefined) hits++;
  return { ns: elapsedNs(t0), cpuNs: cpuNs(c0), hits };
}

/** The worker's side: one policy on every stream from memory, then the `.tables` file. */
export async function runCacheAlone(job: CacheAloneJob): Promise<CacheAloneSample> {
  const streams = STREAMS.map((name) => ({ name, data: new Float64Array(job.streams[name]) }));
  const warm = (s: Float64Array): Float64Array => s.subarray(0, Math.min(s.length, WARM_ACCESSES));
  if (job.policy === BASELINE) {
    for (const s of streams) baseline(job.capacity, warm(s.data));
    const memory = streams.map(({ name, data }) => {
      const { ns, cpuNs, hits } = baseline(job.capacity, data);
      return { stream: name, ns, cpuNs, lookups: data.length, hits, misses: data.length - hits };
    });
    return { memory, file: null };
  }
  // Warm-up (JIT), not recorded: a slice of every stream.
  for (const s of streams) replay(job.policy, job.capacity, warm(s.data));
  const memory = streams.map(({ name, data }) => {
    const { ns, cpuNs, cache } = replay(job.policy, job.capacity, data);
    const st = cache.stats();
    if (st.evictionsInUse !== 0 || cache.size > job.capacity) throw new Error(`${job.policy}: cache broke its rules`);
    return { stream: name, ns, cpuNs, lookups: st.lookups, hits: st.hits, misses: st.misses };
  });
  const sweep = (file: string): ReturnType<typeof cacheOnlySweep> => cacheOnlySweep({ file, kind: 'tables', sizes: [job.capacity], policies: [job.policy] });
  await sweep(job.warmTablesFile);
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const timed = await sweep(job.tablesFile);
  const ns = elapsedNs(t0);
  const st = timed.runs[0].results.total.cache;
  return { memory, file: { ns, cpuNs: cpuNs(c0), lookups: st.lookups, misses: st.misses } };
}

export interface CacheAloneRow {
  policy: string;
  /** Lookups per second per repetition, by stream, and from the file. */
  rates: Record<StreamName, number[]>;
  fileRates: number[];
  /** From the file, per CPU second of the worker's process (reading included). */
  fileCpuRates: number[];
  hitRate: Record<StreamName, number>;
  misses: number;
  /** zipf from memory, per CPU second. */
  cpuRates: number[];
  libcachesim: { rates: number[]; ratios: number[]; cpuRates: number[]; cpuRatios: number[]; missRatio: number; exact: boolean; prefixMisses: number; ourPrefixMisses: number } | null;
}

export interface CacheAloneContext {
  capacity: number;
  policies: string[];
  reps: number;
  streams: Streams;
  tablesFile: string;
  warmTablesFile: string;
  oracleFile: string;
  libcachesim: string | null;
  inWorker: (job: CacheAloneJob) => Promise<CacheAloneSample>;
  log: (s: string) => void;
}

/** Every policy × repetition (order rotated per repetition), libCacheSim paired with each of our runs. */
export async function cacheAloneRows(c: CacheAloneContext): Promise<CacheAloneRow[]> {
  const names = [BASELINE, ...c.policies];
  const ours = new Map<string, CacheAloneSample[]>(names.map((n) => [n, []]));
  const theirs = new Map<string, LibCacheSimRun[]>();
  const compared = (p: string): boolean => c.libcachesim !== null && LIBCACHESIM_POLICIES.includes(p);
  for (let rep = 0; rep < c.reps; rep++) {
    const order = rotation(names, rep);
    for (const policy of order) {
      ours.get(policy)!.push(await c.inWorker({ task: 'cache-alone', policy, capacity: c.capacity, streams: c.streams, tablesFile: c.tablesFile, warmTablesFile: c.warmTablesFile }));
      if (compared(policy)) theirs.set(policy, [...(theirs.get(policy) ?? []), runLibCacheSim(c.libcachesim!, c.oracleFile, policy, c.capacity)]);
    }
    c.log(`cache alone: rep ${rep + 1}/${c.reps} done`);
  }
  const zipf = new Float64Array(c.streams.zipf);
  return names.map((policy) => {
    const list = ours.get(policy)!;
    const of = (stream: StreamName): StreamSample[] => list.map((s) => s.memory.find((m) => m.stream === stream)!);
    for (const stream of STREAMS) {
      const hits = new Set(of(stream).map((s) => s.hits));
      if (hits.size !== 1) throw new Error(`${policy} on ${stream}: hit counts differ between runs (${[...hits].join(', ')})`);
    }
    const z = of('zipf');
    const files = list.flatMap((s) => (s.file ? [s.file] : []));
    for (const f of files) {
      if (f.misses !== z[0].misses || f.lookups !== z[0].lookups) throw new Error(`${policy}: the .tables file run missed ${f.misses} of ${f.lookups}, the in-memory run ${z[0].misses} of ${z[0].lookups}`);
    }
    const rate = (s: { ns: number; lookups: number }): number => s.lookups / (s.ns / 1e9);
    const cpuRate = (s: StreamSample): number => opsPerSec(s.lookups, s.cpuNs);
    let lib: CacheAloneRow['libcachesim'] = null;
    const runs = theirs.get(policy);
    if (runs) {
      const prefix = runLibCacheSim(c.libcachesim!, c.oracleFile, policy, c.capacity, EXACT_PREFIX);
      const mine = new L2Cache<object>(c.capacity, createPolicy(policy));
      const prefixTable = {};
      for (let i = 0; i < Math.min(EXACT_PREFIX, zipf.length); i++) mine.access(zipf[i], prefixTable);
      const ourPrefixMisses = mine.stats().misses;
      const prefixMisses = Math.round(prefix.missRatio * prefix.requests);
      const ourRatio = z[0].misses / z[0].lookups;
      lib = {
        rates: runs.map((r) => r.perSec),
        ratios: runs.map((r, i) => rate(z[i]) / r.perSec),
        cpuRates: runs.map((r) => r.perCpuSec),
        cpuRatios: runs.map((r, i) => cpuRate(z[i]) / r.perCpuSec),
        missRatio: runs[0].missRatio,
        exact: prefixMisses === ourPrefixMisses && Math.abs(runs[0].missRatio - ourRatio) <= 0.00005 + 1e-12 && runs[0].requests === z[0].lookups,
        prefixMisses,
        ourPrefixMisses,
      };
    }
    return {
      policy,
      rates: { zipf: z.map(rate), 'scan-mix': of('scan-mix').map(rate) },
      fileRates: files.map(rate),
      fileCpuRates: files.map((f) => opsPerSec(f.lookups, f.cpuNs)),
      cpuRates: z.map(cpuRate),
      hitRate: { zipf: z[0].hits / z[0].lookups, 'scan-mix': of('scan-mix')[0].hits / of('scan-mix')[0].lookups },
      misses: z[0].misses,
      libcachesim: lib,
    };
  });
}

export function printCacheAlone(rows: CacheAloneRow[], o: { capacity: number; accesses: number; reps: number; tables: number; theta: number; scanTables: number }, libcachesim: string | null): void {
  const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
  const header = ['policy', 'zipf M/s', 'zipf M/CPU-s', 'hit rate', 'scan-mix M/s', 'hit rate', '.tables file M/s', '.tables M/CPU-s'];
  const body = rows.map((r) => {
    const base = r.policy === BASELINE;
    const file = (xs: number[]): string => (xs.length ? spread(xs) : '-');
    return [r.policy, spread(r.rates.zipf), spread(r.cpuRates), base ? '-' : pct(r.hitRate.zipf), spread(r.rates['scan-mix']), base ? '-' : pct(r.hitRate['scan-mix']), file(r.fileRates), file(r.fileCpuRates)];
  });
  console.log(
    `L2 cache alone (L2Cache.access), capacity ${o.capacity}, ${o.accesses} accesses per run, median (min-max) of ${o.reps} runs, one worker per policy and run\n` +
      `zipf: θ ${o.theta} over ${o.tables} tables; scan-mix: half that zipf, half a sequential scan over ${o.scanTables} other tables; ` +
      `.tables file: the zipf stream through the cache-only sweep (read and parsed; after an untimed run of its first ${WARM_ACCESSES} lines, as from memory); M/CPU-s: per CPU second of the worker's process, steadier on a busy machine\n`,
  );
  for (const line of table(header, body)) console.log(line);
  const compared = rows.filter((r) => r.libcachesim !== null);
  if (libcachesim === null || compared.length === 0) return;
  const libHeader = ['policy', 'ours M/s', 'libCacheSim M/s', 'ours ÷ libCacheSim', 'ours M/CPU-s', 'libCacheSim M/CPU-s', 'ours ÷ libCacheSim (CPU)', 'miss ratio', 'same misses'];
  const libBody = compared.map((r) => {
    const l = r.libcachesim!;
    return [
      r.policy,
      spread(r.rates.zipf),
      spread(l.rates),
      `${spread(l.ratios, 1)}x`,
      spread(r.cpuRates),
      spread(l.cpuRates),
      `${spread(l.cpuRatios, 1)}x`,
      (r.misses / o.accesses).toFixed(4),
      l.exact ? 'yes' : `NO (${l.ourPrefixMisses} vs ${l.prefixMisses} in ${EXACT_PREFIX})`,
    ];
  });
  console.log(
    `\nThe cache alone beside libCacheSim (${libcachesim}) on the same zipf stream (its oracleGeneral file), cachesim run right after each of ours; ` +
      `ratios per pair, median (min-max). M/s: wall time (cachesim's own figure: its simulate loop, trace reading included; ours: the in-memory loop); ` +
      `M/CPU-s: CPU time (ours: the loop; cachesim: its whole process), steadier on a busy machine. ` +
      `Same misses: miss ratio equal to 4 decimals, and the exact count on the first ${EXACT_PREFIX} accesses\n`,
  );
  for (const line of table(libHeader, libBody)) console.log(line);
}
