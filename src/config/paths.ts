/**
 * Field paths: "phases[0].jobs[1].iodepth" (or "phases.0.jobs.1.iodepth") as used by --set,
 * matrix keys and messages, and a walk of the zod schema that says whether a path names a field.
 */
import { isSeq } from 'yaml';
import type { z } from 'zod';
import { didYouMean } from './suggest.js';

export type PathSeg = string | number;

const SEGMENT = /^(?:([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|(\d+))/;

/** Segments of a path, or null when it is not one. */
export function parsePath(text: string): PathSeg[] | null {
  const out: PathSeg[] = [];
  let rest = text.trim();
  while (rest.length) {
    const m = SEGMENT.exec(rest);
    if (!m) return null;
    if (m[1] !== undefined) out.push(m[1]);
    else out.push(Number(m[2] ?? m[3]));
    rest = rest.slice(m[0].length);
    if (rest.startsWith('.')) {
      rest = rest.slice(1);
      if (!rest.length) return null;
    } else if (rest.length && !rest.startsWith('[')) {
      return null;
    }
  }
  return out.length ? out : null;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let s = '';
  for (const seg of path) {
    if (typeof seg === 'number') s += `[${seg}]`;
    else s += s ? `.${String(seg)}` : String(seg);
  }
  return s || '(top level)';
}

type AnySchema = z.core.$ZodType;

interface Def {
  type: string;
  innerType?: AnySchema;
  in?: AnySchema;
  options?: AnySchema[];
  shape?: Record<string, AnySchema>;
  element?: AnySchema;
  valueType?: AnySchema;
}

const def = (s: AnySchema): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The schemas a value at this level may match, wrappers removed (a union gives several). */
function unwrap(s: AnySchema): AnySchema[] {
  const d = def(s);
  if (d.innerType) return unwrap(d.innerType);
  if (d.type === 'pipe' && d.in) return unwrap(d.in);
  if (d.type === 'union' && d.options) return d.options.flatMap(unwrap);
  return [s];
}

/** Keys of the mapping(s) a value at this level may be, for did-you-mean. */
export function keysOf(s: AnySchema): string[] {
  return unwrap(s).flatMap((o) => Object.keys(def(o).shape ?? {}));
}

export type Walk =
  /** `keys`: the keys a mapping at the end of the path may have (none if it is not one). */
  | { ok: true; keys: string[] }
  /** `at`: index of the first segment that does not fit; `keys`: what would fit there. */
  | { ok: false; at: number; keys: string[] };

/** Does `path` name something in `schema`? (Array indices are not checked against data.) */
export function walkSchema(schema: AnySchema, path: readonly PathSeg[]): Walk {
  let level = [schema];
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const next: AnySchema[] = [];
    for (const o of level.flatMap(unwrap)) {
      const d = def(o);
      // Own keys only: "__proto__" or "constructor" must not reach Object.prototype's members.
      if (typeof seg === 'string' && d.type === 'object' && d.shape && Object.hasOwn(d.shape, seg)) next.push(d.shape[seg]);
      if (typeof seg === 'string' && d.type === 'record' && d.valueType) next.push(d.valueType);
      if (typeof seg === 'number' && d.type === 'array' && d.element) next.push(d.element);
    }
    if (!next.length) return { ok: false, at: i, keys: level.flatMap(keysOf) };
    level = next;
  }
  return { ok: true, keys: level.flatMap(keysOf) };
}

/** Where a key is known: "phases[N].jobs[N]" for iodepth. For "it belongs elsewhere" hints. */
export function homesOf(schema: AnySchema, key: string, prefix = '', seen = new Set<AnySchema>()): string[] {
  const out: string[] = [];
  for (const o of unwrap(schema)) {
    if (seen.has(o)) continue;
    seen.add(o);
    const d = def(o);
    if (d.type === 'array' && d.element) out.push(...homesOf(d.element, key, `${prefix}[N]`, seen));
    if (d.type !== 'object' || !d.shape) continue;
    if (Object.hasOwn(d.shape, key)) out.push(prefix || '(top level)');
    for (const [k, child] of Object.entries(d.shape)) {
      out.push(...homesOf(child, key, prefix ? `${prefix}.${k}` : k, seen));
    }
  }
  return out;
}

/** Why `path` cannot be set in `doc` (unknown field, missing list entry), or null if it can. */
export function checkField(
  schema: AnySchema,
  doc: { getIn(path: Iterable<unknown>, keepScalar?: boolean): unknown },
  path: readonly PathSeg[],
): { message: string; hint?: string } | null {
  if (path[0] === 'matrix') return { message: 'matrix entries cannot be set or varied' };
  const walk = walkSchema(schema, path);
  if (!walk.ok) {
    const seg = path[walk.at];
    const parent = formatPath(path.slice(0, walk.at));
    if (typeof seg === 'number') return { message: `${parent} is not a list` };
    const near = didYouMean(seg, walk.keys);
    const field = `unknown field "${formatPath(path.slice(0, walk.at + 1))}"`;
    if (near) return { message: field, hint: `did you mean ${formatPath([...path.slice(0, walk.at), near, ...path.slice(walk.at + 1)])}?` };
    return { message: field, hint: walk.keys.length ? `known keys in ${parent}: ${walk.keys.join(', ')}` : undefined };
  }
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (typeof seg !== 'number') continue;
    const list = doc.getIn(path.slice(0, i), true);
    const count = isSeq(list) ? list.items.length : 0;
    if (seg >= count) {
      return { message: `${formatPath(path.slice(0, i + 1))} does not exist: ${formatPath(path.slice(0, i))} has ${count} entr${count === 1 ? 'y' : 'ies'}` };
    }
  }
  return null;
}
