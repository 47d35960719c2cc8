/**
 * bench:sim against libCacheSim: the stream written as a `.tables` file (ours) and as
 * libCacheSim's oracleGeneral binary (through our trace writer), and libCacheSim's `cachesim`
 * run on it, one policy at a time, object-count cache size (--ignore-obj-size). Its own figure
 * (requests over the wall time of its simulate loop, trace reading included) is what we compare
 * with; its miss ratio (4 decimals) must equal ours, and on a 9,999-access prefix (where 4
 * decimals fix the count) its miss count must equal ours exactly: proof that both ran the same
 * stream.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { oracleGeneral } from '../../src/workload/traces/formats/oracle-general.js';

/** Policies libCacheSim has under the same name (`cachesim` matches names case-insensitively). */
export const LIBCACHESIM_POLICIES = ['fifo', 'lru', 'clock', 'sieve', 'arc', '2q', 's3-fifo', 'lfu'];

/** A prefix short enough that a 4-decimal miss ratio gives the exact miss count. */
export const EXACT_PREFIX = 9999;

/** Write `stream` as a `.tables` file and (given a path) an oracleGeneral file, in 64 Ki-access chunks. */
export function writeStreamFiles(stream: Float64Array, tablesPath: string, oraclePath: string | null): void {
  const record = oracleGeneral.writer();
  const CHUNK = 65536;
  const bin = Buffer.allocUnsafe(CHUNK * 24);
  const tfd = openSync(tablesPath, 'w');
  const ofd = oraclePath === null ? null : openSync(oraclePath, 'w');
  try {
    for (let start = 0; start < stream.length; start += CHUNK) {
      const end = Math.min(stream.length, start + CHUNK);
      let text = '';
      let at = 0;
      for (let i = start; i < end; i++) {
        text += `${stream[i]}\n`;
        // One request a second: cachesim counts requests after its (zero) warm-up time.
        if (ofd !== null) at += record({ time: i * 1e9, op: 'read', offset: stream[i], length: 4096, device: '0', line: i + 1 }).copy(bin, at);
      }
      writeSync(tfd, text);
      if (ofd !== null) writeSync(ofd, bin, 0, at);
    }
  } finally {
    closeSync(tfd);
    if (ofd !== null) closeSync(ofd);
  }
}

export interface LibCacheSimRun {
  requests: number;
  missRatio: number;
  /** Requests per second, as cachesim reports it (its simulate loop's wall time). */
  perSec: number;
  /** Requests per second of CPU time (user + system) of the whole cachesim process. */
  perCpuSec: number;
}

/**
 * One cachesim run, through `sh` so its `times` gives the process's CPU time (a figure the
 * machine's load disturbs far less than wall time); throws with its output when it fails or
 * prints no result line.
 */
export function runLibCacheSim(bin: string, file: string, policy: string, capacity: number, requests?: number): LibCacheSimRun {
  const args = [file, 'oracleGeneral', policy, String(capacity), '--ignore-obj-size', '1', ...(requests ? ['-n', String(requests)] : [])];
  const r = spawnSync('/bin/sh', ['-c', '"$0" "$@"; s=$?; times; exit $s', bin, ...args], { encoding: 'latin1', maxBuffer: 1 << 24, cwd: dirname(file) });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const m = /\s(\d+) req, miss ratio ([\d.]+), throughput ([\d.]+) MQPS/.exec(out);
  const t = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s\s*$/.exec(r.stdout ?? '');
  if (r.error || r.status !== 0 || !m || !t) {
    throw new Error(`${bin} ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}):\n${out.slice(-2000)}`);
  }
  const cpu = 60 * Number(t[1]) + Number(t[2]) + 60 * Number(t[3]) + Number(t[4]);
  const n = Number(m[1]);
  return { requests: n, missRatio: Number(m[2]), perSec: Number(m[3]) * 1e6, perCpuSec: n / cpu };
}
