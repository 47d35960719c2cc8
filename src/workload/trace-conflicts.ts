/** Jobs that replay a trace take their requests from it: pattern settings beside `trace` are refused, not ignored. */
import type { Issue } from '../config/locate.js';

/** Job keys that shape generated requests (flushes included); a trace job has no use for them. */
export const PATTERN_ONLY_KEYS = ['pattern', 'distribution', 'stride', 'hotspot', 'op', 'rwmixread', 'bs', 'align', 'flush_every'] as const;

/** One issue per pattern-only key written in a job that also has `trace`, on the raw (pre-schema) data. */
export function traceJobConflicts(data: unknown): Issue[] {
  const issues: Issue[] = [];
  const phases = field(data, 'phases');
  if (!Array.isArray(phases)) return issues;
  phases.forEach((phase, i) => {
    const jobs = field(phase, 'jobs');
    if (!Array.isArray(jobs)) return;
    jobs.forEach((job, k) => {
      if (field(job, 'trace') === undefined) return;
      for (const key of PATTERN_ONLY_KEYS) {
        if (field(job, key) === undefined) continue;
        issues.push({
          path: ['phases', i, 'jobs', k, key],
          message: `${key} does not apply to a job that replays a trace (its requests and flushes come from the trace)`,
          hint: `remove ${key}, or remove trace to generate requests`,
          atKey: true,
        });
      }
    });
  });
  return issues;
}

function field(o: unknown, key: string): unknown {
  return o !== null && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>)[key] : undefined;
}
