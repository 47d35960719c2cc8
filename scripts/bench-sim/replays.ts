/**
 * bench:sim, engine replays: full and metadata-only deterministic replays in memory, each in a
 * fresh child process so its peak RSS is its own:
 *   zipf            a write to each of 100 tables of QEMU's default geometry (64 KiB clusters,
 *                   table_size 4: every miss reads a 256 KiB table), then `requests` 4 KiB
 *                   zipf(1.1) reads at depth 32, fifo cache of `capacity`;
 *   mixed-parallel  workloads/mixed-parallel.yaml under the deterministic scheduler.
 * Verification on (full: every byte read back; metadata-only: the mapping shadow). Requests per
 * second of wall time from opening the image to the end of the last phase (the image check
 * after it excluded), and of the last phase alone. Counters must be equal across the two stores, or the bench fails.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { table } from '../../src/report/text-table.js';
import { runWorkload } from '../../src/replay/runner.js';
import { parseWorkload } from '../../src/workload/load.js';
import { peakRssBytes } from '../lib/peak-rss.js';
import { timedReplay, ZIPF_DEFAULT_GEOMETRY, type TimedReplay } from '../lib/zipf-replay.js';

export type ReplayCase = 'zipf' | 'mixed-parallel';
export type ReplayStore = 'full' | 'metadata';
export const REPLAY_CASES: ReplayCase[] = ['zipf', 'mixed-parallel'];

export interface ReplayJob {
  task: 'replay';
  case: ReplayCase;
  store: ReplayStore;
  requests: number;
  capacity: number;
}

export interface ReplaySample extends TimedReplay {
  /** Peak resident set of the whole process, bytes. */
  peakRss: number;
}

/** The child's side: one replay, timed; then the process's peak RSS. */
export async function runReplay(job: ReplayJob): Promise<ReplaySample> {
  const [w] =
    job.case === 'zipf'
      ? parseWorkload(ZIPF_DEFAULT_GEOMETRY, 'bench-sim zipf', { set: [`phases[1].jobs[0].stop.ops=${job.requests}`, `cache.size=${job.capacity}`] })
      : parseWorkload(await readFile(resolve('workloads/mixed-parallel.yaml'), 'utf8'), 'workloads/mixed-parallel.yaml', { set: ['scheduler.mode=deterministic'] });
  const sample = await timedReplay(runWorkload, w, job.store);
  return { ...sample, peakRss: peakRssBytes() };
}

export interface ReplayRow {
  case: ReplayCase;
  requests: number;
  full: ReplaySample;
  metadata: ReplaySample;
}

/** Both stores of every case, one fresh process each; the counters must agree. */
export async function replayRows(requests: number, capacity: number, inProcess: (job: ReplayJob) => Promise<ReplaySample>, log: (s: string) => void): Promise<ReplayRow[]> {
  const rows: ReplayRow[] = [];
  for (const c of REPLAY_CASES) {
    const full = await inProcess({ task: 'replay', case: c, store: 'full', requests, capacity });
    log(`replay ${c}: full done`);
    const metadata = await inProcess({ task: 'replay', case: c, store: 'metadata', requests, capacity });
    log(`replay ${c}: metadata-only done`);
    if (full.requests !== metadata.requests || full.lookups !== metadata.lookups || full.misses !== metadata.misses) {
      throw new Error(`${c}: full and metadata-only replays differ (requests ${full.requests}/${metadata.requests}, lookups ${full.lookups}/${metadata.lookups}, misses ${full.misses}/${metadata.misses})`);
    }
    rows.push({ case: c, requests: full.requests, full, metadata });
  }
  return rows;
}

export function printReplays(rows: ReplayRow[], o: { requests: number; capacity: number }): void {
  const rps = (s: ReplaySample): string => `${(s.requests / (s.ns / 1e9) / 1e3).toFixed(1)} k`;
  const lastRps = (s: ReplaySample): string => `${(s.lastRequests / (s.lastNs / 1e9) / 1e3).toFixed(1)} k`;
  const mb = (s: ReplaySample): string => `${(s.peakRss / 2 ** 20).toFixed(0)} MB`;
  const header = ['replay', 'requests', 'full req/s', 'metadata-only req/s', 'metadata ÷ full', 'last phase: full', 'metadata-only', 'full peak RSS', 'metadata peak RSS'];
  const body = rows.map((r) => [r.case, String(r.requests), rps(r.full), rps(r.metadata), `${(r.full.ns / r.metadata.ns).toFixed(2)}x`, lastRps(r.full), lastRps(r.metadata), mb(r.full), mb(r.metadata)]);
  console.log(
    `\nDeterministic replays in memory, verification on, one fresh process each (peak RSS: the whole process): ` +
      `zipf = 4 KiB zipf(1.1) reads (${o.requests} in the read phase) over 100 default-geometry tables (64 KiB clusters, table_size 4), fifo cache of ${o.capacity}; ` +
      `mixed-parallel = workloads/mixed-parallel.yaml, deterministic scheduler; last phase: its requests/s alone (zipf: the reads, without making the image and writing its tables)`,
  );
  for (const line of table(header, body)) console.log(line);
}
