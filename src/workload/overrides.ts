/** `--set key.path=value`: a field replaced from the command line before validation. */
import { isScalar, parseDocument, type Document } from 'yaml';
import type { Problem } from './errors.js';
import type { Origin } from '../config/locate.js';
import { checkField, formatPath, parsePath, type PathSeg } from '../config/paths.js';
import { MAX_ALIASES, unknownTag } from '../config/yaml-text.js';
import { workloadSchema } from './schema.js';

/** A value already typed (a sweep cell's cache size, a stress run's policy), set as --set would set it. */
export interface TypedOverride {
  path: PathSeg[];
  value: unknown;
  /** Names it in messages: "cache.policy=lru". */
  label: string;
}

/** Fields a sweep varies, with its option: a list given to --set for one of them wants a sweep. */
const SWEPT = new Map([
  ['cache.policy', '--policy'],
  ['cache.size', '--cache-size'],
]);

/**
 * Applies each override to `doc` (a YAML value: 16, fifo, "[8, 16]"), then the typed ones.
 * Returns where each value came from, for messages about it, and the problems with overrides
 * that could not be applied.
 */
export function applyOverrides(doc: Document, args: readonly string[], typed: readonly TypedOverride[] = []): { origins: Origin[]; problems: Problem[] } {
  const origins: Origin[] = [];
  const problems: Problem[] = [];
  const set = (path: PathSeg[], value: unknown, origin: string, digits?: string): void => {
    try {
      const node = doc.createNode(value);
      // A whole number past 2^53 is named as typed in messages, not as the double rounds it.
      if (digits !== undefined && isScalar(node) && typeof node.value === 'number' && !Number.isSafeInteger(node.value)) node.source = digits;
      doc.setIn(path, node);
    } catch {
      problems.push({ origin, path: formatPath(path), message: `cannot set it: ${formatPath(path.slice(0, -1))} is not a mapping or list in the file` });
      return;
    }
    origins.push({ path, label: origin });
  };
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
    const text = arg.slice(eq + 1);
    const several = SWEPT.get(formatPath(path));
    if (several && /[,[]/.test(text)) {
      fail(formatPath(path), `one value per run, found "${text}"`, `to compare several, sweep them (qed-bench sweep WORKLOAD ${several} ${text.replace(/[[\]\s]/g, '')}) or list them under the workload's matrix: (${formatPath(path)}: [${text.replace(/[[\]]/g, '')}])`);
      continue;
    }
    const value = parseDocument(text, { logLevel: 'error' });
    if (value.errors.length) {
      fail(formatPath(path), `the value is not valid YAML: ${value.errors[0].message.split('\n')[0]}`, 'quote it for the shell, e.g. --set \'name="a: b"\'');
      continue;
    }
    // As in a workload file: an unknown tag is not dropped, an alias with no anchor is not an internal error.
    const tag = unknownTag(value);
    if (tag) {
      fail(formatPath(path), `unknown tag ${tag.tag}: values are plain YAML`, 'remove the tag');
      continue;
    }
    let js: unknown;
    try {
      js = value.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (err) {
      fail(formatPath(path), `the value cannot be read: ${(err as Error).message}`, "an alias (*name) needs its anchor (&name) earlier in the same value; quote it for a plain string, e.g. --set 'name=\"*x\"'");
      continue;
    }
    set(path, js, origin, /^[-+]?\d+$/.test(text.trim()) ? text.trim() : undefined);
  }
  for (const t of typed) set(t.path, t.value, t.label);
  return { origins, problems };
}

/** A run's cache size and policy as typed overrides (for LoadOptions.cache). */
export function cacheOverrides(cache: { size?: number; policy?: string }): TypedOverride[] {
  return (['size', 'policy'] as const).flatMap((key) => (cache[key] === undefined ? [] : [{ path: ['cache', key], value: cache[key], label: `cache.${key}=${cache[key]}` }]));
}

/** The overrides that fix one stress run's seed: ours after the user's, so ours win. */
export function seedOverrides(set: readonly string[], seed: number): string[] {
  return [...set, 'scheduler.mode=deterministic', `seed=${seed}`, `scheduler.seed=${seed}`];
}

/** One stress run as `--set`s (to print the command that repeats it): the seed's, then the policy. */
export function runOverrides(set: readonly string[], seed: number, policy: string): string[] {
  return [...seedOverrides(set, seed), `cache.policy=${policy}`];
}
