/**
 * powercut:sweep: replay the power-cut workload under many seeds (each cuts at a different
 * random request, tearing lost writes), recover, and total what recovery found. Exit 1 if any
 * run lost a flushed write, left a corruption unrepaired or failed integrity otherwise.
 *
 *   npm run powercut:sweep -- [--runs 1000] [--first-seed 1] [--threads N] [--workload FILE]
 *                             [--set key=value ...] [--qemu-check auto|always|never] [--json]
 *
 * --set overrides workload fields as `qed-bench run --set` does (e.g. engine.allocation=parallel).
 *
 * Each run is about 250 backend requests on a fresh 64 MiB image file; a run is bound by file
 * system round trips more than by CPU, so TMPDIR=/dev/shm (tmpfs) makes a sweep much faster.
 */
import os from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { runWorkload } from '../src/replay/runner.js';
import { parseWorkload, readWorkloadText, WorkloadError } from '../src/workload/load.js';
import { benchArgs } from './lib/bench-args.js';

interface RunFigures {
  seed: number;
  ok: boolean;
  lostFlushed: number;
  unrepaired: number;
  lostUnflushed: number;
  repaired: number;
  leaks: number;
  torn: number;
  undone: number;
  qemuChecked: boolean;
  /** First violation or check finding, for failures. */
  detail?: string;
}

interface Job {
  file: string;
  /** The workload file's text, read once by the main thread. */
  text: string;
  /** --set overrides, applied before the seed. */
  set: string[];
  seeds: number[];
  qemuCheck: boolean | 'auto';
}

async function runOne(text: string, file: string, set: string[], seed: number, qemuCheck: boolean | 'auto'): Promise<RunFigures> {
  const [w] = parseWorkload(text, file, { set: [...set, `seed=${seed}`] });
  const out = await runWorkload(w, { qemuCheck });
  const r = out.recovery;
  if (!r) throw new Error(`${file} has no scheduler.power_cut`);
  const i = out.integrity;
  const unrepaired = (i.check?.corruptions ?? 0) + (i.qemuCheck?.corruptions ?? 0) + (i.check?.checkErrors ?? 0);
  const v = i.violations[0];
  return {
    seed,
    ok: i.verdict !== 'failed' && r.verdict === 'passed',
    lostFlushed: r.lostFlushedWrites,
    unrepaired,
    lostUnflushed: r.lostUnflushedWrites,
    repaired: r.corruptionsFixed,
    leaks: r.leaks,
    torn: r.sectorsTorn,
    undone: r.writesUndone,
    qemuChecked: i.qemuCheck !== null,
    detail: v ? `${v.kind} at ${v.offset}: expected ${v.expected}, found ${v.found}` : i.check?.findings.find((f) => f.kind !== 'leak')?.message,
  };
}

async function worker(job: Job): Promise<void> {
  for (const seed of job.seeds) parentPort!.postMessage(await runOne(job.text, job.file, job.set, seed, job.qemuCheck));
}

async function main(): Promise<number> {
  const { values } = benchArgs('powercut:sweep', {
    options: {
      runs: { type: 'string', default: '1000' },
      'first-seed': { type: 'string', default: '1' },
      threads: { type: 'string', default: String(os.availableParallelism()) },
      workload: { type: 'string', default: 'workloads/power-cut.yaml' },
      set: { type: 'string', multiple: true, default: [] },
      'qemu-check': { type: 'string', default: 'auto' },
      json: { type: 'boolean', default: false },
    },
  });
  const runs = Number(values.runs);
  const first = Number(values['first-seed']);
  const threads = Math.max(1, Math.min(Number(values.threads), runs));
  const q = values['qemu-check'];
  const qemuCheck = q === 'always' ? true : q === 'never' ? false : 'auto';
  const seeds = Array.from({ length: runs }, (_, k) => first + k);
  const set = values.set;
  // Bad input (a missing file, a bad field or --set) fails here, once, as a WorkloadError naming the file.
  const text = await readWorkloadText(values.workload);
  const parsed = parseWorkload(text, values.workload, { set });
  if (parsed.some((w) => !w.scheduler.powerCut)) {
    throw new WorkloadError(values.workload, [{ path: 'scheduler.power_cut', message: 'not set; powercut:sweep needs a workload that cuts the power (e.g. workloads/power-cut.yaml)' }]);
  }
  const t0 = performance.now();
  const results: RunFigures[] = [];
  // Seeds dealt round-robin so every thread gets a similar mix.
  await Promise.all(
    Array.from({ length: threads }, (_, t) => {
      const job: Job = { file: values.workload, text, set, seeds: seeds.filter((_, k) => k % threads === t), qemuCheck };
      return new Promise<void>((resolve, reject) => {
        const w = new Worker(new URL(import.meta.url), { workerData: job });
        w.on('message', (r: RunFigures) => {
          results.push(r);
          if (!values.json && results.length % 100 === 0) process.stderr.write(`  ${results.length}/${runs} runs\n`);
        });
        w.on('error', reject);
        w.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`sweep worker exited with ${code}`))));
      });
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const sum = (k: keyof RunFigures): number => results.reduce((s, r) => s + Number(r[k]), 0);
  const failed = results.filter((r) => !r.ok).sort((a, b) => a.seed - b.seed);
  const summary = {
    workload: values.workload,
    set,
    seeds: `${first}..${first + runs - 1}`,
    runs: results.length,
    failedRuns: failed.length,
    flushedWritesLost: sum('lostFlushed'),
    unrepairedCorruptions: sum('unrepaired'),
    unflushedWritesLost: sum('lostUnflushed'),
    runsLosingUnflushedWrites: results.filter((r) => r.lostUnflushed > 0).length,
    writesUndone: sum('undone'),
    sectorsTorn: sum('torn'),
    corruptionsRepaired: sum('repaired'),
    leaks: sum('leaks'),
    qemuChecked: results.filter((r) => r.qemuChecked).length,
    threads,
    seconds: Number(seconds.toFixed(1)),
    failures: failed.slice(0, 10).map((r) => ({ seed: r.seed, lostFlushed: r.lostFlushed, unrepaired: r.unrepaired, detail: r.detail })),
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } else {
    const rows: Array<[string, string | number]> = [
      ['runs (seeds)', `${summary.runs} (${summary.seeds})`],
      ['overrides', set.length ? set.join(' ') : 'none'],
      ['flushed writes lost (must be 0)', summary.flushedWritesLost],
      ['unrepaired corruptions (must be 0)', summary.unrepairedCorruptions],
      ['failed runs', summary.failedRuns],
      ['unflushed writes lost (legal)', `${summary.unflushedWritesLost} in ${summary.runsLosingUnflushedWrites} runs`],
      ['writes undone / sectors torn', `${summary.writesUndone} / ${summary.sectorsTorn}`],
      ['corruptions repaired', summary.corruptionsRepaired],
      ['leaks (allowed)', summary.leaks],
      ['qemu-img check', summary.qemuChecked ? `${summary.qemuChecked} runs` : 'not run (qemu-img not on PATH or --qemu-check never)'],
      ['time', `${summary.seconds} s on ${threads} threads`],
    ];
    for (const [k, v] of rows) process.stdout.write(`${k.padEnd(36)} ${v}\n`);
    for (const f of summary.failures) process.stdout.write(`FAILED seed ${f.seed}: lost flushed ${f.lostFlushed}, unrepaired ${f.unrepaired}; ${f.detail ?? ''}\n`);
  }
  return failed.length > 0 ? 1 : 0;
}

if (isMainThread) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      // Bad input (workload or --set): one paragraph, exit 2; anything else is a bug: the stack.
      if (err instanceof WorkloadError) {
        process.stderr.write(`powercut:sweep: ${err.message}\n`);
        process.exit(2);
      }
      process.stderr.write(`powercut:sweep: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
} else {
  void worker(workerData as Job);
}
