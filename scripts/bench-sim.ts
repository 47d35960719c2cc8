/**
 * bench:sim: the cache and the replay engine at simulation speed, in one run (issue 10's table):
 *   - the L2 cache alone per policy, from memory and from a `.tables` file, and (--libcachesim)
 *     libCacheSim's cachesim on the same stream side by side (bench-sim/cache-alone.ts);
 *   - the exact miss-ratio curve against an LRU replay, and SHARDS's error (curves.ts, shards.ts);
 *   - full and metadata-only deterministic replays: requests/s and peak RSS (replays.ts).
 * Each measurement runs in a fresh worker (or child process, for RSS); see bench-sim/*.ts.
 *
 *   npm run bench:sim -- [--requests 1000000] [--accesses 10000000] [--reps 3] [--libcachesim PATH] ...
 * (bench-sim/options.ts lists every option)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inFreshWorker } from './lib/fresh-worker.js';
import { inFreshProcess } from './lib/fresh-process.js';
import { cacheAloneRows, printCacheAlone, WARM_ACCESSES, type CacheAloneSample } from './bench-sim/cache-alone.js';
import { curveRows, printCurves, type CurveSample } from './bench-sim/curves.js';
import { writeStreamFiles } from './bench-sim/libcachesim.js';
import { parseOptions, USAGE } from './bench-sim/options.js';
import { printReplays, replayRows, type ReplaySample } from './bench-sim/replays.js';
import { printShardsErrors } from './bench-sim/shards.js';
import { buildStreams } from './bench-sim/streams.js';
import type { Job } from './bench-sim/worker.js';

const WORKER = new URL('./bench-sim/worker.js', import.meta.url);

function inWorker<R>(job: Job): Promise<R> {
  return inFreshWorker<R>(WORKER, job, job.task === 'cache-alone' ? job.policy : job.task);
}

async function main(): Promise<void> {
  const o = parseOptions();
  const log = (s: string): void => {
    if (!o.json) process.stderr.write(`${s}\n`);
  };
  const streams = buildStreams(o, o.accesses);
  const dir = mkdtempSync(join(tmpdir(), 'bench-sim-'));
  try {
    const tablesFile = join(dir, 'zipf.tables');
    const oracleFile = join(dir, 'zipf.oracleGeneral');
    const zipf = new Float64Array(streams.zipf);
    writeStreamFiles(zipf, tablesFile, oracleFile);
    // A short prefix to warm the file path up (JIT) before it is timed, as the in-memory runs are.
    const warmTablesFile = join(dir, 'warm.tables');
    writeStreamFiles(zipf.subarray(0, WARM_ACCESSES), warmTablesFile, null);
    log(`streams written to ${dir}`);
    const cacheAlone = await cacheAloneRows({
      capacity: o.capacity,
      policies: o.policies,
      reps: o.reps,
      streams,
      tablesFile,
      warmTablesFile,
      oracleFile,
      libcachesim: o.libcachesim,
      inWorker: (job) => inWorker<CacheAloneSample>(job),
      log,
    });
    const curves = o.skipCurve ? null : await timeCurves(o, streams, log);
    const replays = o.skipReplay ? null : await replayRows(o.requests, o.capacity, (job) => inFreshProcess<ReplaySample>(WORKER, job, `replay ${job.case} ${job.store}`), log);

    if (o.json) {
      const { json: _json, ...params } = o;
      process.stdout.write(`${JSON.stringify({ bench: 'sim', node: process.version, params, cacheAlone, curves, replays }, null, 2)}\n`);
      return;
    }
    printCacheAlone(cacheAlone, o, o.libcachesim);
    if (curves) {
      printCurves(curves, o);
      printShardsErrors(curves);
    }
    if (replays) printReplays(replays, o);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function timeCurves(o: ReturnType<typeof parseOptions>, streams: ReturnType<typeof buildStreams>, log: (s: string) => void): Promise<ReturnType<typeof curveRows>> {
  const all: CurveSample[][] = [];
  for (let rep = 0; rep < o.reps; rep++) {
    all.push(await inWorker<CurveSample[]>({ task: 'curve', capacity: o.capacity, shardsRate: o.shardsRate, shardsMax: o.shardsMax, streams }));
    log(`curves: rep ${rep + 1}/${o.reps} done`);
  }
  return curveRows(all);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  if (e instanceof Error && /must be/i.test(e.message)) console.error(`usage: ${USAGE}`);
  process.exit(1);
});
