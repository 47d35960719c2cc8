/**
 * bench:serve: qed-bench serve against qemu-nbd -f qed, both driven by fio's nbd engine (random
 * 4 KiB reads, then random 4 KiB writes, iodepth 16) on copies of one fully allocated image,
 * interleaved and repeated; then autocannon against our HTTP front end (GET /disk 4 KiB ranges,
 * GET /metrics). Prints IOPS and p50/p99 side by side with the ratio to qemu-nbd, and the load
 * average (the machine is shared: compare ratios within one run, not figures across runs).
 *
 *   npm run bench:serve -- [--size 1G] [--runtime 5] [--reps 3] [--iodepth 16] [--http-duration 5] [--json]
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findOnPath } from '../src/util/find-on-path.js';
import { parseSize } from '../src/util/size.js';
import { createFullImage } from './lib/full-image.js';
import { rotation, spread, type Spread } from './lib/samples.js';
import { runTool } from './peers/tools.js';
import { fioNbd } from './serve/fio-nbd.js';
import { httpLoad, type HttpLoadResult } from './serve/http-load.js';
import { startOurs, startQemuNbd, type RunningServer } from './serve/servers.js';
import { benchArgs } from './lib/bench-args.js';

const JOBS = ['randread', 'randwrite'] as const;
type Server = 'ours' | 'qemu';

interface Row {
  job: (typeof JOBS)[number];
  server: Server;
  iops: Spread;
  p50Us: Spread;
  p99Us: Spread;
}

async function main(): Promise<void> {
  const { values } = benchArgs('bench:serve', {
    options: {
      size: { type: 'string', default: '1G' },
      runtime: { type: 'string', default: '5' },
      reps: { type: 'string', default: '3' },
      iodepth: { type: 'string', default: '16' },
      'http-duration': { type: 'string', default: '5' },
      json: { type: 'boolean', default: false },
    },
  });
  const missing = ['fio', 'qemu-nbd', 'qemu-img'].filter((t) => !findOnPath(t));
  if (missing.length) {
    console.error(`bench:serve: ${missing.join(', ')} not on PATH (Debian: apt-get install fio qemu-utils)`);
    process.exit(2);
  }
  const size = parseSize(values.size!);
  const runtimeS = Number(values.runtime);
  const reps = Number(values.reps);
  const iodepth = Number(values.iodepth);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qed-bench-serve-bench-'));
  const log = (s: string): void => void (values.json ? undefined : console.error(s));
  try {
    const base = path.join(dir, 'base.qed');
    log(`bench:serve: writing a fully allocated ${values.size} image`);
    await createFullImage(base, size);
    const images: Record<Server, string> = { ours: path.join(dir, 'ours.qed'), qemu: path.join(dir, 'qemu.qed') };
    copyFileSync(base, images.ours);
    copyFileSync(base, images.qemu);
    rmSync(base);
    const load0 = os.loadavg();
    const servers: Record<Server, RunningServer> = {
      ours: await startOurs(images.ours, { resultsFile: path.join(dir, 'serve-results.json') }),
      qemu: await startQemuNbd(images.qemu, path.join(dir, 'qemu-nbd.pid')),
    };
    const samples = new Map<string, Array<{ iops: number; p50Us: number; p99Us: number }>>();
    let errors = 0;
    try {
      for (let rep = 0; rep < reps; rep++) {
        for (const job of JOBS) {
          for (const server of rotation<Server>(['ours', 'qemu'], rep)) {
            const r = await fioNbd(servers[server].nbdUri, job, { runtimeS, iodepth, size: values.size!, out: path.join(dir, 'fio.json') });
            errors += r.errors;
            log(`  rep ${rep + 1}/${reps} ${job} ${server}: ${Math.round(r.iops)} IOPS, p50 ${r.p50Us.toFixed(0)} µs, p99 ${r.p99Us.toFixed(0)} µs`);
            const k = `${job}/${server}`;
            samples.set(k, [...(samples.get(k) ?? []), r]);
          }
        }
      }
      log('bench:serve: autocannon against GET /disk and GET /metrics');
      const durationS = Number(values['http-duration']);
      const http: HttpLoadResult[] = [];
      for (const p of ['/disk', '/metrics'] as const) http.push(await httpLoad(servers.ours.httpUrl!, p, { size, durationS, connections: 10 }));
      const load1 = os.loadavg();
      const rows: Row[] = [];
      for (const job of JOBS) {
        for (const server of ['ours', 'qemu'] as const) {
          const s = samples.get(`${job}/${server}`)!;
          rows.push({ job, server, iops: spread(s.map((x) => x.iops)), p50Us: spread(s.map((x) => x.p50Us)), p99Us: spread(s.map((x) => x.p99Us)) });
        }
      }
      await servers.ours.stop();
      await servers.qemu.stop();
      const check = await runTool('qemu-img', ['check', '-f', 'qed', images.ours]);
      const report = { size, runtimeS, reps, iodepth, fioErrors: errors, rows, http, loadAverage: { before: load0, after: load1 }, oursCheckExit: check.code };
      if (values.json) console.log(JSON.stringify(report, null, 2));
      else console.log(format(report));
      if (errors || http.some((h) => h.errors || h.non2xx) || check.code !== 0) process.exitCode = 1;
    } finally {
      await Promise.allSettled([servers.ours.stop(), servers.qemu.stop()]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function format(r: { size: number; runtimeS: number; reps: number; iodepth: number; fioErrors: number; rows: Row[]; http: HttpLoadResult[]; loadAverage: { before: number[]; after: number[] }; oursCheckExit: number }): string {
  const lines = [
    `fio --ioengine=nbd, 4 KiB, iodepth ${r.iodepth}, ${r.runtimeS} s per run, ${r.reps} interleaved reps, ${r.size / 2 ** 30} GiB fully allocated image (copies)`,
    '',
    '| job | server | IOPS median (min–max) | p50 µs | p99 µs | IOPS ratio to qemu-nbd |',
    '|---|---|---|---|---|---|',
  ];
  for (const row of r.rows) {
    const q = r.rows.find((x) => x.job === row.job && x.server === 'qemu')!;
    lines.push(`| ${row.job} | ${row.server === 'ours' ? 'qed-bench serve' : 'qemu-nbd -f qed'} | ${fmt(row.iops.median)} (${fmt(row.iops.min)}–${fmt(row.iops.max)}) | ${row.p50Us.median.toFixed(0)} | ${row.p99Us.median.toFixed(0)} | ${(row.iops.median / q.iops.median).toFixed(2)} |`);
  }
  lines.push('', '| autocannon (10 connections) | req/s | p50 ms | p99 ms | requests | errors | non-2xx |', '|---|---|---|---|---|---|---|');
  for (const h of r.http) lines.push(`| ${h.target} | ${fmt(h.requestsPerSec)} | ${h.p50Ms} | ${h.p99Ms} | ${fmt(h.total)} | ${h.errors} | ${h.non2xx} |`);
  lines.push('', `fio errors: ${r.fioErrors}; qemu-img check of our copy after stop: exit ${r.oursCheckExit}; load average before ${r.loadAverage.before.map((x) => x.toFixed(2)).join(' ')}, after ${r.loadAverage.after.map((x) => x.toFixed(2)).join(' ')}`);
  return lines.join('\n');
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

main().catch((err: unknown) => {
  console.error(`bench:serve: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
