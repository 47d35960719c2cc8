/** `--set key.path=value`: a field replaced from the command line before validation. */
import { parseDocument, type Document } from 'yaml';
import type { Problem } from './errors.js';
import type { Origin } from '../config/locate.js';
import { checkField, formatPath, parsePath } from '../config/paths.js';
import { workloadSchema } from './schema.js';

/**
 * Applies each override to `doc` (a YAML value: 16, fifo, "[8, 16]"). Returns where each value
 * came from, for messages about it, and the problems with overrides that could not be applied.
 */
export function applyOverrides(doc: Document, args: readonly string[]): { origins: Origin[]; problems: Problem[] } {
  const origins: Origin[] = [];
  const problems: Problem[] = [];
  for (const arg of args) {
    const origin = `--set ${arg}`;
    const fail = (path: string, message: string, hint?: string) =>
      problems.push({ origin, path, message: hint ? `${message}; ${hint}` : message });
    const eq = arg.indexOf('=');
    const path = eq > 0 ? parsePath(arg.slice(0, eq)) : null;
    if (!path) {
      fail('', 'expected key.path=value, e.g. --set cache.size=16 or --set phases[0].jobs[0].iodepth=8');
      continue;
    }
    const bad = checkField(workloadSchema, doc, path);
    if (bad) {
      fail('', bad.message, bad.hint);
      continue;
    }
    const value = parseDocument(arg.slice(eq + 1));
    if (value.errors.length) {
      fail(formatPath(path), `the value is not valid YAML: ${value.errors[0].message.split('\n')[0]}`, 'quote it for the shell, e.g. --set \'name="a: b"\'');
      continue;
    }
    try {
      doc.setIn(path, doc.createNode(value.toJS()));
    } catch {
      fail(formatPath(path), `cannot set it: ${formatPath(path.slice(0, -1))} is not a mapping or list in the file`);
      continue;
    }
    origins.push({ path, label: origin });
  }
  return { origins, problems };
}

/** The overrides that make one run of a sweep: ours after the user's, so ours win. */
export function runOverrides(set: readonly string[], seed: number, policy: string): string[] {
  return [...set, 'scheduler.mode=deterministic', `seed=${seed}`, `scheduler.seed=${seed}`, `cache.policy=${policy}`];
}
