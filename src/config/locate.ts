/**
 * From issues (zod's, or our own cross-field ones) to located problems: the YAML node each
 * path leads to gives line and column, and what was found there.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { z } from 'zod';
import type { Problem } from './errors.js';
import { pairOf, type KeyIndex } from './yaml-merge.js';
import { formatPath, homesOf, walkSchema, type PathSeg } from './paths.js';
import { didYouMean } from './suggest.js';

export interface Issue {
  path: PathSeg[];
  /** "expected ..." gets ", found <value>" appended; anything else is shown as is. */
  message: string;
  hint?: string;
  /** The value zod saw, used when the YAML node cannot be found (merge keys, overrides). */
  input?: unknown;
  /** Point at the key of the last path segment rather than its value (unknown keys). */
  atKey?: boolean;
  missing?: boolean;
}

/** A value that did not come from the file: a --set override at `path`. */
export interface Origin {
  path: PathSeg[];
  label: string;
}

type ZodIssue = z.core.$ZodIssue;

function isMismatch(i: ZodIssue): boolean {
  if (i.path.length) return false;
  if (i.code === 'invalid_type') return true;
  return i.code === 'invalid_union' && i.errors.every((b) => b.every(isMismatch));
}

/**
 * zod issues as ours: unions resolved to the branch that matched the type, unknown keys split.
 * `schema` is the one validated (for did-you-mean on unknown keys); `examples`, by key, what to
 * add when a required key is missing.
 */
export function fromZod(issues: readonly ZodIssue[], prefix: PathSeg[], schema: z.core.$ZodType, examples: Readonly<Record<string, string>> = {}): Issue[] {
  return issues.flatMap((i): Issue[] => {
    const path = [...prefix, ...(i.path as PathSeg[])];
    const input = (i as { input?: unknown }).input;
    if (i.code === 'invalid_union') {
      const matched = i.errors.filter((b) => !b.every(isMismatch));
      if (matched.length === 1) return fromZod(matched[0], path, schema, examples);
    }
    if (i.code === 'unrecognized_keys') {
      return i.keys.map((key) => unknownKey([...path], key, schema));
    }
    const message = plainMessage(i);
    let hint = (i as { params?: { hint?: string } }).params?.hint;
    if (i.code === 'invalid_value' && typeof input === 'string') {
      const near = didYouMean(input, i.values.map(String));
      if (near) hint = `did you mean ${near}?`;
    }
    if (input === undefined && i.code === 'invalid_type') {
      const last = path[path.length - 1];
      const example = typeof last === 'string' ? examples[last] : undefined;
      return [{ path, message, hint: example ? `add e.g. ${example}` : hint, missing: true }];
    }
    return [{ path, message, hint, input }];
  });
}

/** zod's own wording ("Too big: expected number to be <=1") as ours, for checks without an error of their own. */
function plainMessage(i: ZodIssue): string {
  if (i.message.startsWith('Invalid input: expected')) return `expected ${i.message.replace(/^Invalid input: expected (\S+).*$/, '$1')}`;
  if (i.code === 'too_big' && /^Too big/.test(i.message)) return `expected ${i.origin === 'number' ? 'a number' : 'a value'} ${i.inclusive ? '≤' : '<'} ${String(i.maximum)}`;
  if (i.code === 'too_small' && /^Too small/.test(i.message)) return `expected ${i.origin === 'number' ? 'a number' : 'a value'} ${i.inclusive ? '≥' : '>'} ${String(i.minimum)}`;
  if (/^Invalid /.test(i.message)) return `expected a valid value (${i.message.replace(/^Invalid /, '').toLowerCase()})`;
  return i.message;
}

/** An unknown key, with the likeliest key meant or where this key belongs. */
export function unknownKey(objectPath: PathSeg[], key: string, schema: z.core.$ZodType): Issue {
  const walk = walkSchema(schema, objectPath);
  const known = walk.ok ? walk.keys : [];
  const near = didYouMean(key, known);
  let hint: string | undefined;
  if (near) {
    hint = `did you mean ${near}?`;
  } else {
    const homes = homesOf(schema, key);
    hint = homes.length
      ? `${key} belongs in ${homes.join(' or ')}`
      : known.length
        ? `known keys here: ${known.join(', ')}`
        : undefined;
  }
  const shown = key === '' ? '"" (an empty or null key)' : `"${key}"`;
  return { path: [...objectPath, key], message: `unknown key ${shown}`, hint, atKey: true };
}

interface Found {
  /** The node the path leads to, if it exists in the document. */
  node?: Node | null;
  /** The deepest node on the way with a position: the value, its key, or an ancestor. */
  anchor?: Node;
}

/** Follow `path` through the document as far as it goes. */
function follow(doc: Document, path: readonly PathSeg[], atKey: boolean, index?: KeyIndex): Found {
  let node: unknown = doc.contents;
  let anchor: Node | undefined = (node as Node | null) ?? undefined;
  for (let i = 0; i < path.length; i++) {
    if (isAlias(node)) node = node.resolve(doc);
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      // Inherited through a merge key: located where the anchor's map writes it.
      const pair = pairOf(doc, node, seg, 0, index);
      if (!pair) return { anchor };
      if (last && atKey && pair.key && (pair.key as Node).range) return { node: pair.value as Node, anchor: pair.key as Node };
      if ((pair.key as Node | null)?.range) anchor = pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      node = node.items[seg];
    } else {
      return { anchor };
    }
    if ((node as Node | null)?.range) anchor = node as Node;
  }
  return { node: (node as Node | null) ?? null, anchor };
}

function show(value: unknown): string {
  if (value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return Object.keys(value).length ? 'a mapping' : 'an empty mapping';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  return String(value);
}

function nodeValue(node: Node | null): unknown {
  if (node === null) return null;
  // A number too big for a double prints as written (99999999999999999999), not as JS rounds it.
  if (isScalar(node) && typeof node.value === 'number' && typeof node.source === 'string' && /^[-+]?\d+$/.test(node.source) && !Number.isSafeInteger(node.value)) return node.source;
  if (isScalar(node)) return node.value;
  if (isSeq(node)) return [];
  if (isMap(node)) return node.items.length ? { nonEmpty: true } : {};
  return undefined;
}

function startsWith(path: readonly PathSeg[], prefix: readonly PathSeg[]): boolean {
  return prefix.length <= path.length && prefix.every((seg, i) => path[i] === seg);
}

export class Locator {
  private readonly index: KeyIndex = new WeakMap();

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly origins: Origin[] = [],
  ) {}

  problem(issue: Issue): Problem {
    const path = formatPath(issue.path).replace(/^\(top level\)$/, '');
    const origin = [...this.origins].reverse().find((o) => startsWith(issue.path, o.path));
    const found = follow(this.doc, issue.path, issue.atKey ?? false, this.index);
    let message = issue.message;
    if (issue.missing) {
      message = `missing; ${message}`;
    } else if (message.startsWith('expected') && !message.includes(', found ')) {
      const value = found.node !== undefined ? nodeValue(found.node) : issue.input;
      if (value !== undefined) message += `, found ${show(value)}`;
    }
    if (issue.hint) message += `; ${issue.hint}`;
    const at = origin ? undefined : found.anchor?.range?.[0];
    const pos = at === undefined ? undefined : this.lines.linePos(at);
    const shownPath = issue.atKey ? formatPath(issue.path.slice(0, -1)).replace(/^\(top level\)$/, '') : path;
    return { path: shownPath, message, line: pos?.line, col: pos?.col, origin: origin?.label };
  }
}
