/** Replays a workload against an image: phases, verification, checks; returns the run's outcome. */
import { missRatioCurveBuilder, type MissRatioCurveBuilder } from '../cache/shards.js';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BlockBackend } from '../io/backend.js';
import type { MemoryStore } from '../io/memory-backend.js';
import type { ImageStore } from '../io/metadata-backend.js';
import { faultWrapper, type FaultPlan } from '../io/faults.js';
import { recordedIoChoice } from '../io/io-choice.js';
import { DeterministicScheduler, type SchedulerStats } from '../io/scheduler.js';
import type { CheckResult } from '../qed/check.js';
import type { QedImage, TableAccessListener, TableAccessOp } from '../qed/image.js';
import { createImageFile, openImageFile } from '../qed/open-file.js';
import { emptyIntegrityReport, type IntegrityReport, type QemuCheck } from '../metrics/integrity.js';
import { QedFormatError } from '../qed/errors.js';
import { LatencyRecorder } from '../metrics/latency.js';
import { OPS, PhaseCollector, totalOf, type OpName, type PhaseMetrics } from '../metrics/phase.js';
import type { RecoveryReport } from '../metrics/recovery.js';
import type { RunOutcome } from '../metrics/run-outcome.js';
import { qemuSafeFileName } from '../util/file-name.js';
import type { PhaseSpec, Workload } from '../workload/types.js';
import { wallClock, type ReplayClock } from './clock.js';
import { errorCode, runJob, type ReplayContext } from './job.js';
import { runScenario } from './scenario.js';
import { closeSources, requestSource, type TraceReplaySummary } from './sources.js';
import { MEMORY_IMAGE_PATH, openMemoryImage } from './memory-image.js';
import { PowerCutRun, type Recovered } from './power-cut-recovery.js';
import { qemuImgCheck } from './qemu-check.js';
import { MappingShadow } from './mapping-shadow.js';
import { ShadowModel } from './shadow.js';
import { soloReadsFor } from './solo-reads.js';

export interface Progress {
  phase: string;
  /** Requests completed in this phase, and the planned total when the stop is by ops. */
  done: number;
  total: number | null;
  stage: 'replay' | 'verify' | 'check';
}

export interface RunOptions {
  /** A user's image (image.path) with corruptions: repair it before the replay instead of refusing it. */
  repair?: boolean;
  /** Verify reads and read back everything at the end (default true); metadata-only: check mappings at the end. */
  verify?: boolean;
  /** Run `qemu-img check` after the replay: true, false, or 'auto' (when qemu-img is on PATH). */
  qemuCheck?: boolean | 'auto';
  /** Stops issuing requests; the replay drains and reports `interrupted`. */
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /** Time-series sample interval in requests (default: about 200 points per phase). */
  sampleEvery?: number;
  /** Replay on a fresh image in memory instead of a file (no qemu-img check; see memory-image.ts). */
  inMemory?: boolean;
  /**
   * `metadata`: replay in memory keeping only metadata bytes (no byte-level verification: data
   * reads are zeros); `full`: move every byte. Absent: the workload's image.store, else full.
   */
  store?: ImageStore;
  /**
   * Compute the LRU miss-ratio curve of the run's L2 table-access stream (results `mrc`);
   * sampleRate 1 is exact, below 1 is SHARDS spatial sampling; `sizes` are added to the
   * report's own spread of sizes.
   */
  missRatioCurve?: { sampleRate: number; sizes?: number[] };
  /**
   * Told of every L2 table access during the replay phases (not the read-back or checks after
   * them), with the replay clock's time in ns: `qed-bench trace-export` writes them out.
   */
  onTableAccess?: (tableOffset: number, kind: 'hit' | 'miss' | 'new', op: TableAccessOp, timeNs: number) => void;
}

// The outcome's shape lives in metrics/ (the reports read it); re-exported for code that imports it from here.
export type { RunOutcome };

/** Replay a workload against a fresh (or given) image; returns metrics and the integrity verdict. */
export async function runWorkload(w: Workload, opts: RunOptions = {}): Promise<RunOutcome> {
  const startedAt = new Date().toISOString();
  const metadataOnly = (opts.store ?? w.image.store ?? 'full') === 'metadata';
  // Data reads are zeros in a metadata-only store: it checks mappings (MappingShadow), not bytes.
  const verify = !metadataOnly && (opts.verify ?? true);
  const verifyMappings = metadataOnly && (opts.verify ?? true);
  const { clock, wrap, scheduler, faults } = timing(w);
  const mem = opts.inMemory || metadataOnly ? await openMemoryImage(w, wrap, metadataOnly) : null;
  const { path, created, dir } = mem ? { path: MEMORY_IMAGE_PATH, created: true, dir: null } : await prepareImage(w);
  if (!created) await checkUserImage(path, opts.repair ?? false);
  let kept = !mem && (!created || w.image.keep);
  const img = mem?.img ?? (await openImageFile(path, { l2Cache: w.cache, allocation: w.engine.allocation, wrap, io: w.image.io, cache: w.image.cache }));
  try {
    const shadow = verify ? new ShadowModel(w.seed >>> 0, created && !w.image.backing ? 'zeros' : 'unknown') : null;
    // A metadata-only replay checks mappings instead of bytes (after a power cut: the flushed ones).
    const cut = PowerCutRun.arm(w, scheduler, shadow);
    const mappings = verifyMappings ? new MappingShadow(w.image.clusterSize, (w.image.clusterSize * w.image.tableSize) / 8, cut !== null) : null;
    const totals = Object.fromEntries(OPS.map((o) => [o, new LatencyRecorder()])) as Record<OpName, LatencyRecorder>;
    const phases: PhaseMetrics[] = [];
    const replay: Replay = { w, opts, img, shadow, mappings, metadataOnly, cut, clock, scheduler, jobIndex: 0, traces: [] };
    const curve = opts.missRatioCurve ? missRatioCurveBuilder(opts.missRatioCurve.sampleRate) : null;
    img.onTableAccess = tableAccessListener(curve, opts.onTableAccess, clock);
    // Every read's mapping is checked as it resolves (metadata-only: there are no bytes to check).
    img.onDataRun = mappings ? (op, pos, len, host) => mappings.onDataRun(op, pos, len, host) : null;
    for (const phase of w.phases) {
      if (opts.signal?.aborted) break;
      const collector = await replayPhase(replay, phase);
      for (const o of OPS) totals[o].add(collector.latency(o));
      phases.push(collector.finish());
      if (cut?.happened) break;
    }
    img.onTableAccess = null; // the read-back and checks below are not part of the replay's stream
    img.onDataRun = null;
    faults?.clear(); // nor do the workload's faults apply to them: they check what the replay left
    const { rec, integrity } = await verifyAndCheck(replay, path, mem?.store ?? null);
    // A created image goes even when integrity failed (a 200 GiB sparse file per failed run
    // adds up in /tmp); the summary says how to keep it, and the results keep the evidence.
    return {
      status: opts.signal?.aborted ? 'interrupted' : 'completed',
      startedAt,
      finishedAt: new Date().toISOString(),
      image: { path, created, kept, fileBytes: mem ? mem.store.length : (await stat(path)).size, io: mem ? null : recordedIoChoice(path, w.image), store: metadataOnly ? 'metadata' : mem ? 'memory' : 'file' },
      phases,
      // Interrupted before the first phase: totalOf needs at least one phase; total nothing.
      total: phases.length ? totalOf(phases, totals) : { ...new PhaseCollector('total', img, 1, clock.now).finish(), durationMs: 0 },
      timing: clock.kind,
      scheduler: scheduler?.stats() ?? null,
      integrity,
      recovery: rec?.recovery ?? null,
      mrc: curve?.report(w.cache.size, opts.missRatioCurve?.sizes) ?? null,
      ...(replay.traces.length ? { traces: replay.traces } : {}),
    };
  } finally {
    await img.close().catch(() => {});
    if (dir && !kept) await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Real timing (faults, if any, injected by a wrapper) or the deterministic scheduler, which
 * completes every request of the image and its backing files from one seeded queue.
 */
/** What the phases of one replay share. */
interface Replay {
  w: Workload;
  opts: RunOptions;
  img: QedImage;
  shadow: ShadowModel | null;
  mappings: MappingShadow | null;
  /** A metadata-only store: data reads return zeros. */
  metadataOnly: boolean;
  cut: PowerCutRun | null;
  clock: ReplayClock;
  scheduler: DeterministicScheduler | null;
  /** Jobs started so far across phases: a job's request stream is seeded by its index. */
  jobIndex: number;
  traces: TraceReplaySummary[];
}

/** One phase of the workload: its jobs (or scenario) to the end, then a flush; returns its collector. */
async function replayPhase(r: Replay, phase: PhaseSpec): Promise<PhaseCollector> {
  const { w, opts, img, shadow, mappings, cut, clock, scheduler } = r;
  const planned = phase.scenario
    ? phase.scenario.filter((s) => s.kind === 'request').length
    : phase.jobs.every((j) => j.stop.ops !== undefined)
      ? phase.jobs.reduce((s, j) => s + (j.stop.ops ?? 0), 0)
      : null;
  img.cache.resetPeaks();
  const collector = new PhaseCollector(phase.name, img, opts.sampleEvery ?? Math.max(1, Math.ceil((planned ?? 100_000) / 200)), clock.now);
  let done = 0;
  // Progress counts flushes too (flush_every), which the sampling interval above does not.
  const flushes = phase.jobs.reduce((s, j) => s + (j.flushEvery > 0 ? Math.floor((j.stop.ops ?? 0) / j.flushEvery) : 0), 0);
  const total = planned === null ? null : planned + flushes;
  opts.onProgress?.({ phase: phase.name, done, total, stage: 'replay' });
  const ctx: ReplayContext = {
    img,
    shadow,
    mappings,
    zeroedReads: r.metadataOnly,
    solo: soloReadsFor(phase, scheduler, cut !== null),
    collector,
    clock,
    inFlight: 0,
    stopped: () => (opts.signal?.aborted ?? false) || (cut?.happened ?? false),
    onRequestDone: () => {
      cut?.onRequestDone();
      done++;
      if (opts.onProgress && (done & 255) === 0) opts.onProgress({ phase: phase.name, done, total, stage: 'replay' });
    },
  };
  if (scheduler) {
    collector.settleSamplesLater();
    const solo = ctx.solo;
    scheduler.beforeStep = solo
      ? () => {
          solo.onStep();
          collector.settle(ctx.inFlight);
        }
      : () => collector.settle(ctx.inFlight);
  }
  if (phase.scenario) await runScenario(phase.scenario, scheduler, ctx, { source: w.source, path: `phases[${w.phases.indexOf(phase)}].scenario`, phase: phase.name });
  else {
    const sources = phase.jobs.map((job) => requestSource(job, w.seed, r.jobIndex++, clock));
    try {
      await Promise.all(phase.jobs.map((job, k) => runJob(job, sources[k], ctx, k)));
    } finally {
      r.traces.push(...(await closeSources(sources)));
    }
  }
  if (!cut?.happened) {
    await img.flush().catch((err: unknown) => {
      if (cut) cut.swallow(err);
      else collector.countError(errorCode(err)); // an I/O error counted as a request's is (injected or not); any other rethrown
    });
  }
  opts.onProgress?.({ phase: phase.name, done, total, stage: 'replay' });
  return collector;
}

/**
 * After the last phase: recovery from a power cut (which checks), or the read-back of every
 * written sector (or mapping), the engine's check and qemu-img check. Closes the image.
 */
async function verifyAndCheck(r: Replay, path: string, store: MemoryStore | null): Promise<{ rec: Recovered | null; integrity: RunOutcome['integrity'] }> {
  const { w, opts, img, shadow, mappings, cut } = r;
  const rec = cut ? await cut.recover({ img, path, store, shadow, mappings, qemuCheck: opts.qemuCheck ?? 'auto', cache: w.cache }) : null;

  if (shadow && !rec) {
    const total = shadow.trackedBytes();
    let seen = 0;
    await shadow.verifyAll(
      (buf, off) => img.read(buf, off),
      (n) => {
        seen += n;
        opts.onProgress?.({ phase: 'read-back', done: seen, total, stage: 'verify' });
      },
    );
  }
  const mapped = mappings && !rec ? await mappings.verify(img) : null;
  const wantQemu = opts.qemuCheck ?? 'auto';
  const runQemu = !rec && wantQemu !== false && !store;
  opts.onProgress?.({ phase: runQemu ? 'check (ours, then qemu-img check)' : 'check', done: 0, total: null, stage: 'check' });
  const check = rec?.check ?? (await img.check());
  if (!rec) await img.close();
  const qemuCheck = rec ? rec.qemuCheck : runQemu ? await qemuImgCheck(path, wantQemu === true) : null;
  const integrity = integrityOf(shadow?.report() ?? mapped ?? mappings?.report() ?? null, check, qemuCheck, rec?.recovery ?? null);
  return { rec, integrity };
}

function timing(w: Workload): { clock: ReplayClock; wrap: (b: BlockBackend) => BlockBackend; scheduler: DeterministicScheduler | null; faults: FaultPlan | null } {
  const s = w.scheduler;
  if (s.mode === 'deterministic') {
    const scheduler = new DeterministicScheduler({ seed: s.seed, reorder: s.reorder, latency: s.latency });
    for (const f of s.faults) scheduler.faults.add(f);
    return { clock: virtualClock(scheduler), wrap: (b) => scheduler.attach(b), scheduler, faults: scheduler.faults };
  }
  const injected = faultWrapper(s.faults, s.seed);
  return { clock: wallClock, wrap: injected?.wrap ?? ((b) => b), scheduler: null, faults: injected?.plan ?? null };
}

/** One listener for the curve and the caller's hook (null when neither wants accesses). */
function tableAccessListener(curve: MissRatioCurveBuilder | null, hook: RunOptions['onTableAccess'], clock: ReplayClock): TableAccessListener | null {
  if (curve && hook) {
    return (off, kind, op) => {
      if (kind === 'new') curve.insert(off);
      else curve.access(off);
      hook(off, kind, op, clock.now());
    };
  }
  if (curve) return (off, kind) => (kind === 'new' ? curve.insert(off) : curve.access(off));
  if (hook) return (off, kind, op) => hook(off, kind, op, clock.now());
  return null;
}

function virtualClock(s: DeterministicScheduler): ReplayClock {
  return { kind: 'virtual', now: () => s.now(), sleep: (us, origin) => s.sleep(us, origin), hold: (work) => s.hold(work) };
}

/**
 * A user's image is checked read-only before anything writes to it: a replay on a corrupt
 * image would fail at the end and blame the engine. Refused naming the first finding, unless
 * `repair` (run --repair) asks to fix it first.
 */
async function checkUserImage(path: string, repair: boolean): Promise<void> {
  const img = await openImageFile(path, repair ? {} : { readOnly: true, repairOnOpen: false });
  let result: CheckResult;
  try {
    result = await img.check({ repair });
  } finally {
    await img.close();
  }
  const bad = result.corruptions + result.checkErrors;
  if (bad === 0) return;
  const first = result.findings.find((f) => f.kind !== 'leak');
  const finding = first ? `; first: ${first.where}: ${first.message}` : '';
  const how = repair ? 'that --repair could not fix (a cluster referenced twice, or an unreadable table)' : 'found by a read-only check';
  throw new QedFormatError(path, 'check', `image.path: the image has ${result.corruptions} corruption${result.corruptions === 1 ? '' : 's'} and ${result.checkErrors} check error${result.checkErrors === 1 ? '' : 's'} ${how}${finding}; refusing to replay on it${repair ? '' : ' (nothing was written): fix it with `qed-bench check --repair`, or pass --repair to run'}`);
}

/** The workload's image.path, or a fresh image in a new temp directory (`dir`, for the caller to remove). */
export async function prepareImage(w: Workload): Promise<{ path: string; created: boolean; dir: string | null }> {
  if (w.image.path) return { path: w.image.path, created: false, dir: null };
  const dir = await mkdtemp(join(tmpdir(), 'qed-bench-'));
  const path = join(dir, `${qemuSafeFileName(w.name)}.qed`);
  await createImageFile(path, {
    size: w.image.size,
    clusterSize: w.image.clusterSize,
    tableSize: w.image.tableSize,
    backingFile: w.image.backing?.file,
    backingFormat: w.image.backing?.format,
  });
  return { path, created: true, dir };
}

function integrityOf(found: IntegrityReport | null, check: CheckResult, qemu: QemuCheck | null, recovery: RecoveryReport | null): RunOutcome['integrity'] {
  const base: IntegrityReport = found ?? emptyIntegrityReport('skipped');
  const structural = check.corruptions > 0 || check.checkErrors > 0 || (qemu !== null && qemu.corruptions > 0);
  const verdict = base.verdict === 'failed' || structural || recovery?.verdict === 'failed' ? 'failed' : base.verdict;
  return { ...base, verdict, check, qemuCheck: qemu };
}
