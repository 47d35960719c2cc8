/**
 * `run --repeat N`: one workload (one matrix combination) replayed N times into one results
 * file whose `repeats` field keeps every timing sample, so `compare` can test timings
 * statistically instead of trusting a single noisy number.
 */
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { differingLeaves } from '../metrics/diff.js';
import { OPS } from '../metrics/phase.js';
import type { RepeatedResults, Repeats } from '../metrics/repeats.js';
import { buildResults, type RunResults } from '../metrics/results.js';
import type { RunOutcome } from '../metrics/run-outcome.js';
import type { Workload } from '../workload/types.js';

// The repeats' shape lives in metrics/ (compare reads it); re-exported for code that imports it from here.
export type { RepeatedResults, Repeats };

/** The timing figures of one run's total, for ops it issued (MB/s only for ops that move bytes). */
export function timingSamplesOf(r: RunOutcome): Record<string, number> {
  const out: Record<string, number> = {};
  for (const op of OPS) {
    const m = r.total.ops[op];
    if (m.ops === 0) continue;
    out[`${op}.iops`] = m.iops;
    if (m.bytes > 0) out[`${op}.mbPerSec`] = m.mbPerSec;
    out[`${op}.p50`] = m.latency.p50;
    out[`${op}.p99`] = m.latency.p99;
  }
  return out;
}

/** The counters compare gates as samples under real timing, by compare's metric name. */
export function counterSamplesOf(r: RunOutcome): Record<string, number> {
  const t = r.total;
  return {
    hitRate: t.hitRate,
    metadataReadsPer1000: t.metadataReadsPer1000,
    metadataWritesPer1000: t.metadataWritesPer1000,
    peakOverCapacity: t.peakOverCapacity,
    requestsCompletedOverCapacity: t.requestsCompletedOverCapacity,
    'cache.loads': t.cache.loads,
    'cache.evictions': t.cache.evictions,
  };
}

/** Everything a replay counts (not times): equal across repeats under the deterministic scheduler. */
export function countersOf(r: RunOutcome): Record<string, unknown> {
  const t = r.total;
  const i = r.integrity;
  return {
    requests: t.requests,
    hitRate: t.hitRate,
    metadataReadsPer1000: t.metadataReadsPer1000,
    metadataWritesPer1000: t.metadataWritesPer1000,
    peakOverCapacity: t.peakOverCapacity,
    requestsCompletedOverCapacity: t.requestsCompletedOverCapacity,
    errorsByCode: t.errorsByCode,
    cache: t.cache,
    engine: t.engine,
    integrity: { verdict: i.verdict, staleReads: i.staleReads, lostWrites: i.lostWrites, corruptSectors: i.corruptSectors, unexpectedData: i.unexpectedData },
  };
}

export interface Combined {
  results: RepeatedResults & { repeats: Repeats };
  /** Counters that differed from the first repeat, as "cache.loads (repeat 3: 120, repeat 1: 118)". */
  differences: string[];
}

/**
 * One results object from N runs of the same workload: the body is the first run whose
 * integrity failed (the evidence matters most), else the first run; `repeats` holds every
 * run's timing samples. A timing missing from a repeat (an op that failed every request) is
 * left out of the samples rather than padded.
 */
export function combineRepeats(runs: RunResults[]): Combined {
  if (!runs.length) throw new RangeError('combineRepeats needs at least one run');
  const body = runs.find((r) => r.integrity.verdict === 'failed') ?? runs[0];
  const perRun = runs.map(timingSamplesOf);
  const keys = Object.keys(perRun[0]).filter((k) => perRun.every((s) => k in s));
  const samples = Object.fromEntries(keys.map((k) => [k, perRun.map((s) => s[k])]));
  const perRunCounters = runs.map(counterSamplesOf);
  const counters = Object.fromEntries(Object.keys(perRunCounters[0]).map((k) => [k, perRunCounters.map((s) => s[k])]));
  const first = countersOf(runs[0]);
  const differences: string[] = [];
  runs.slice(1).forEach((r, i) => {
    const here = countersOf(r);
    for (const d of differingLeaves(first, here)) differences.push(`${d.path} (repeat ${i + 2}: ${JSON.stringify(d.b)}, repeat 1: ${JSON.stringify(d.a)})`);
  });
  return {
    results: { ...body, status: runs.some((r) => r.status === 'interrupted') ? 'interrupted' : body.status, repeats: { count: runs.length, samples, counters } },
    differences,
  };
}

/** The stderr line when deterministic repeats counted differently (a determinism bug): the first 5. */
export function countersDifferWarning(name: string, differences: string[]): string {
  const more = differences.length > 5 ? `; and ${differences.length - 5} more` : '';
  return `qed-bench: warning: ${name}: counters differ between repeats under the deterministic scheduler (they should not): ${differences.slice(0, 5).join('; ')}${more}\n`;
}

/**
 * Replay `w` `count` times, one after another (never in parallel: they would time each other),
 * through `runOnce` (the caller's runWorkload with its options and progress bar). Stops early
 * when `signal` aborts; the repeats done so far are combined.
 */
export async function repeatWorkload(
  w: Workload,
  count: number,
  runOnce: (index: number) => Promise<RunOutcome>,
  signal?: AbortSignal,
): Promise<Combined> {
  const runs: RunResults[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0 && signal?.aborted) break;
    runs.push(buildResults(w, await runOnce(i)));
  }
  const combined = combineRepeats(runs);
  await removeUnreportedImages(runs, combined.results);
  return combined;
}

/**
 * Each repeat creates its own temp image; one kept (image.keep, --keep-image, or a failed
 * integrity verdict) would outlive the run, but the results report only the body's. Delete the
 * others with their temp directories (the runner made one per created image), so N repeats
 * leave one image, not N.
 */
async function removeUnreportedImages(runs: RunResults[], reported: RunResults): Promise<void> {
  const others = runs.filter((r) => r.image.created && r.image.kept && r.image.path !== reported.image.path);
  await Promise.all(others.map((r) => rm(dirname(r.image.path), { recursive: true, force: true })));
}
