/** A job's request stream: the seeded generator, or a trace reader for `trace:` jobs. */
import { createJobSource } from '../workload/generator.js';
import { createTraceSource, type TraceReplaySummary, type TraceSource } from '../workload/traces/source.js';
import type { JobSpec, RequestSource } from '../workload/types.js';
import type { ReplayClock } from './clock.js';

export type { TraceReplaySummary };

export function requestSource(job: JobSpec, seed: number, jobIndex: number, clock: ReplayClock): RequestSource {
  return job.trace ? createTraceSource(job, clock.hold) : createJobSource(job, seed, jobIndex);
}

/** Close every source; the trace jobs' summaries, in job order. */
export async function closeSources(sources: RequestSource[]): Promise<TraceReplaySummary[]> {
  await Promise.all(sources.map((s) => s.close?.()));
  return sources.filter((s): s is TraceSource => 'summary' in s).map((s) => s.summary());
}
