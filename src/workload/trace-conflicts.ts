/** Jobs that replay a trace take their requests from it: pattern settings beside `trace` are refused, not ignored. */
import { isMap, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { Issue } from '../config/locate.js';
import { pairOf, resolveNode as resolve } from '../config/yaml-merge.js';

/** Job keys that shape generated requests (flushes included); a trace job has no use for them. */
export const PATTERN_ONLY_KEYS = ['pattern', 'distribution', 'stride', 'hotspot', 'op', 'rwmixread', 'bs', 'align', 'flush_every'] as const;

/**
 * One issue per pattern-only key written in a job that also has `trace`. Only the job's own keys
 * count: keys it inherits through a merge key (`<<: *common`, an anchor shared with pattern jobs)
 * are the anchor's, not a setting of this job.
 */
export function traceJobConflicts(doc: Document, data: unknown): Issue[] {
  const issues: Issue[] = [];
  const phases = field(data, 'phases');
  const phaseNodes = member(doc, doc.contents, 'phases');
  if (!Array.isArray(phases) || !isSeq(phaseNodes)) return issues;
  phases.forEach((phase, i) => {
    const jobs = field(phase, 'jobs');
    const phaseNode = resolve(doc, phaseNodes.items[i]);
    const jobNodes = member(doc, phaseNode, 'jobs');
    if (!Array.isArray(jobs) || !isSeq(jobNodes)) return;
    jobs.forEach((job, k) => {
      const jobNode = resolve(doc, jobNodes.items[k]);
      if (field(job, 'trace') == null || !isMap(jobNode)) return; // trace: null is the schema's to refuse
      const own = new Set(jobNode.items.map((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key))));
      for (const key of PATTERN_ONLY_KEYS) {
        if (!own.has(key)) continue;
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

/** The node of `key` in a map as the parsed data sees it (merge keys followed), so a whole `phases` or `jobs` list inherited through a merge key is checked as well. */
function member(doc: Document, map: unknown, key: string): Node | null {
  return resolve(doc, pairOf(doc, map, key)?.value);
}

function field(o: unknown, key: string): unknown {
  return o !== null && typeof o === 'object' && !Array.isArray(o) ? (o as Record<string, unknown>)[key] : undefined;
}
