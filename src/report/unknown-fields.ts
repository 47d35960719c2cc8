/**
 * Fields a results or sweep file holds that qed-bench never writes, where compare and report
 * read figures: a typo in a hand-edited baseline (`hitRtae`) would otherwise be silently
 * ignored while the real field is missing or stale. Warned, not refused: a later 1.x writer
 * only ever adds fields, and its files must still read.
 */
import { didYouMean } from '../config/suggest.js';
import { OPS } from '../metrics/phase.js';

/** A level's known keys and, for some keys, the level below (`*`: every key of a record). */
export interface Level {
  keys: readonly string[];
  below?: Record<string, Level>;
  /** The level is an array of this level. */
  each?: boolean;
}

const latency: Level = { keys: ['count', 'meanNs', 'p50', 'p90', 'p99', 'p999', 'maxNs', 'minNs'] };
const op: Level = { keys: ['ops', 'bytes', 'errors', 'iops', 'mbPerSec', 'latency'], below: { latency } };
const metricKeys = ['name', 'durationMs', 'requests', 'ops', 'errorsByCode', 'hitRate', 'metadataReadsPer1000', 'metadataWritesPer1000', 'peakEntries', 'peakOverCapacity', 'requestsCompletedOverCapacity', 'cache', 'engine', 'timeSeries'];
const metrics: Level = { keys: metricKeys, below: { ops: { keys: OPS, below: { '*': op } } } };
const integrity: Level = {
  keys: ['verdict', 'writesTracked', 'readsVerified', 'sectorsVerified', 'sectorsUnverifiable', 'staleReads', 'lostWrites', 'corruptSectors', 'unexpectedData', 'violations', 'check', 'qemuCheck'],
};

export const RESULTS_LEVEL: Level = {
  keys: ['schema', 'tool', 'environment', 'workload', 'status', 'startedAt', 'finishedAt', 'image', 'phases', 'total', 'timing', 'scheduler', 'integrity', 'recovery', 'mrc', 'traces', 'repeats'],
  below: { phases: { ...metrics, each: true }, total: metrics, integrity },
};

export const SWEEP_LEVEL: Level = {
  keys: ['schema', 'tool', 'environment', 'sweep', 'runs'],
  below: {
    sweep: { keys: ['workload', 'file', 'set', 'sizes', 'policies', 'shards', 'timing', 'jobs', 'elapsedMs', 'status'] },
    runs: { keys: ['size', 'policy', 'results'], each: true, below: { results: RESULTS_LEVEL } },
  },
};

/** Each unknown field's path (with a near known name when there is one), in document order. */
export function unknownFields(doc: unknown, level: Level): string[] {
  const found: string[] = [];
  const walk = (v: unknown, l: Level, path: string, inArray = false): void => {
    if (l.each && !inArray) {
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, l, `${path}[${i}]`, true));
      return;
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) return;
    for (const [k, x] of Object.entries(v)) {
      const p = path ? `${path}.${k}` : k;
      if (!l.keys.includes(k)) {
        const near = didYouMean(k, l.keys);
        found.push(`${p}${near ? ` (did you mean ${near}?)` : ''}`);
        continue;
      }
      const below = l.below?.[k] ?? l.below?.['*'];
      if (below) walk(x, below, p);
    }
  };
  walk(doc, level, '');
  return found;
}

/** One warning line for a file's unknown fields (at most a few named), or null. */
export function unknownFieldsWarning(file: string, fields: string[]): string | null {
  if (!fields.length) return null;
  const named = fields.slice(0, 5).join(', ');
  const more = fields.length > 5 ? ` and ${fields.length - 5} more` : '';
  const one = fields.length === 1;
  return `${file}: ${one ? 'field' : 'fields'} ${named}${more} ${one ? 'is' : 'are'} not written by this qed-bench and ${one ? 'is' : 'are'} ignored (a typo in a hand-edited file? a newer writer's field?)`;
}
