/** One fio job through its nbd engine: IOPS and completion-latency percentiles. */
import { readFileSync, rmSync } from 'node:fs';
import { runTool } from '../peers/tools.js';

export interface FioNbdResult {
  iops: number;
  p50Us: number;
  p99Us: number;
  errors: number;
}

export async function fioNbd(uri: string, rw: 'randread' | 'randwrite', opts: { runtimeS: number; iodepth: number; size: string; out: string }): Promise<FioNbdResult> {
  const args = [
    `--name=serve-${rw}`, '--ioengine=nbd', `--uri=${uri}`, `--rw=${rw}`, '--bs=4k', `--iodepth=${opts.iodepth}`, `--size=${opts.size}`,
    '--time_based', `--runtime=${opts.runtimeS}`, '--randrepeat=1', '--output-format=json', `--output=${opts.out}`,
  ];
  const r = await runTool('fio', args, (opts.runtimeS + 60) * 1000);
  if (r.code !== 0) throw new Error(`fio ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`);
  try {
    const job = (JSON.parse(readFileSync(opts.out, 'utf8')) as { jobs: Array<Record<string, any>> }).jobs[0];
    const side = job[rw === 'randread' ? 'read' : 'write'] as { iops: number; clat_ns: { percentile: Record<string, number> } };
    return { iops: side.iops, p50Us: side.clat_ns.percentile['50.000000'] / 1000, p99Us: side.clat_ns.percentile['99.000000'] / 1000, errors: job.error as number };
  } finally {
    rmSync(opts.out, { force: true });
  }
}
