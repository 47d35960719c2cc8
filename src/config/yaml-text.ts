/**
 * What can be wrong with a YAML file before its settings are read, in our words rather than
 * the parser's: not UTF-8 (a UTF-16 editor save), a second document, nesting deep enough to
 * overflow the stack, plain syntax errors, unknown tags, and aliases or merge keys that cannot
 * expand, each located at line:col.
 */
import { LineCounter, isAlias, isCollection, isMap, isPair, isScalar, parseDocument, visit, type Document, type Node, type YAMLWarning } from 'yaml';
import { mergeSources } from './yaml-merge.js';
import type { Problem } from './errors.js';

/** Lists and mappings nested deeper than this are refused before anything walks them. */
export const MAX_NESTING = 64;

/** The `maxAliasCount` every toJS of a workload, gate or --set value is given ("billion laughs"). */
export const MAX_ALIASES = 1000;

/** The file's text is not UTF-8: UTF-16 (a byte-order mark, or NUL bytes between ASCII) or binary; `format` names what it should be. */
export function encodingProblem(text: string, format: 'YAML' | 'JSON' = 'YAML'): Problem | null {
  if (text.startsWith('\uFFFD\uFFFD') || /^(?:[^\0]\0){2}|^(?:\0[^\0]){2}/.test(text)) {
    const fix = format === 'YAML' ? 'save it as UTF-8' : 'results files are UTF-8 JSON';
    return { path: '', line: 1, col: 1, message: `the file is UTF-16 encoded (it starts with a UTF-16 byte-order mark or has NUL bytes between characters); ${fix}` };
  }
  const nul = text.indexOf('\0');
  if (nul >= 0) return { path: '', message: `the file is not text: a NUL byte at offset ${nul} (expected UTF-8 ${format})` };
  return null;
}

/**
 * A YAML file's text parsed with line numbers, or the first thing wrong with it before its
 * settings are read (encoding, syntax, nesting): the one place these messages are made.
 */
export function parseYaml(text: string, options: { merge?: boolean } = {}): { doc: Document; lines: LineCounter; problem: Problem | null } {
  const lines = new LineCounter();
  const encoding = encodingProblem(text);
  if (encoding) return { doc: parseDocument('', { lineCounter: lines }), lines, problem: encoding };
  // logLevel 'error': the library's warnings (a mapping used as a key) went to stderr as a second, unlocated paragraph; the schema names such a key.
  // uniqueKeys off: the library compares each key with every earlier one (50,000 keys took 25 s); duplicateKey does it with a Set.
  const doc = parseDocument(text, { lineCounter: lines, merge: options.merge ?? false, prettyErrors: true, logLevel: 'error', uniqueKeys: false });
  return { doc, lines, problem: syntaxProblem(doc, lines) ?? duplicateKey(doc, lines) ?? nestingProblem(doc.contents, lines) ?? tagProblem(doc, lines) ?? aliasProblem(doc, lines) ?? aliasBombProblem(doc, lines) };
}

/** The first syntax error of a parsed document as a located problem, or null. */
export function syntaxProblem(doc: Document, lines: LineCounter): Problem | null {
  const e = doc.errors[0];
  if (!e) return null;
  const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
  return { path: '', line: pos.line, col: pos.col, message: plainSyntaxMessage(e.code, e.message) };
}

/** The first key that repeats one before it in the same mapping (scalar keys compared by value, as the library does). */
function duplicateKey(doc: Document, lines: LineCounter): Problem | null {
  let problem: Problem | null = null;
  visit(doc, {
    Map(_, map) {
      const seen = new Map<unknown, Node>();
      for (const { key } of map.items) {
        if (!isScalar(key)) continue;
        const first = seen.get(key.value);
        if (!first) {
          seen.set(key.value, key);
          continue;
        }
        const was = posOf(first, lines);
        problem = problemAt(key, lines, `YAML syntax error: Map keys must be unique: ${JSON.stringify(String(key.value))} is already a key of this mapping${was ? ` (line ${was.line})` : ''}`);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return problem;
}

/** Where a node starts, 1-based; undefined for a node with no range. */
function posOf(node: Node, lines: LineCounter): { line: number; col: number } | undefined {
  return node.range ? lines.linePos(node.range[0]) : undefined;
}

/** A problem placed at a node's start. */
function problemAt(node: Node, lines: LineCounter, message: string): Problem {
  const pos = posOf(node, lines);
  return { path: '', line: pos?.line, col: pos?.col, message };
}

function plainSyntaxMessage(code: string, message: string): string {
  if (code === 'MULTIPLE_DOCS' || /multiple documents/i.test(message)) {
    return 'a second YAML document starts here (after ---); the file must hold exactly one: remove the --- line or split the file';
  }
  if (/call stack/i.test(message)) return tooDeep();
  return `YAML syntax error: ${message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`;
}

/** A tag the plain YAML schema does not know (`!foo`): the library only warns and keeps the bare value. */
function tagProblem(doc: Document, lines: LineCounter): Problem | null {
  const found = unknownTag(doc);
  if (!found) return null;
  const pos = found.warning.linePos?.[0] ?? lines.linePos(found.warning.pos[0]);
  return { path: '', line: pos.line, col: pos.col, message: `unknown tag ${found.tag}: workload and gate files are plain YAML; remove the tag` };
}

/** The first tag of a parsed document that its schema does not know, with the library's warning about it; null if none. */
export function unknownTag(doc: Document): { tag: string; warning: YAMLWarning } | null {
  const warning = doc.warnings.find((x) => x.code === 'TAG_RESOLVE_FAILED');
  return warning ? { tag: /Unresolved tag: (\S+)/.exec(warning.message)?.[1] ?? 'a tag', warning } : null;
}

/**
 * An alias with no anchor before it, or a merge key (`<<:`) whose source is not a mapping: the
 * library only finds them while expanding the document, with no position; located here.
 */
function aliasProblem(doc: Document, lines: LineCounter): Problem | null {
  let problem: Problem | null = null;
  visit(doc, {
    Alias(_, node) {
      if (node.resolve(doc) !== undefined) return undefined;
      problem = problemAt(node, lines, `alias *${node.source} has no anchor &${node.source} before it (an anchor must come first in the file)`);
      return visit.BREAK;
    },
    Pair(_, pair) {
      for (const source of mergeSources(pair) ?? []) {
        const target = isAlias(source) ? source.resolve(doc) : source;
        if (target === undefined || isMap(target)) continue; // an unresolved alias is named by Alias
        problem = problemAt(source as Node, lines, 'a merge key (<<) takes a mapping, an alias of one, or a list of them');
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return problem;
}

/**
 * The alias at which expanding the document passes MAX_ALIASES, counted as the library's toJS
 * counts (its error has no position): each alias of an anchor counts once per use, times the
 * largest count among the aliases inside the anchored node (at least 1).
 */
function aliasBombProblem(doc: Document, lines: LineCounter): Problem | null {
  const anchors = new Map<Node, { count: number; weight: number }>();
  const weight = (node: unknown): number => {
    if (isAlias(node)) {
      const a = anchors.get(node.resolve(doc) as Node);
      return a ? a.count * a.weight : 0;
    }
    if (isPair(node)) return Math.max(weight(node.key), weight(node.value));
    if (isCollection(node)) return node.items.reduce((m: number, i) => Math.max(m, weight(i)), 0);
    return 1;
  };
  let problem: Problem | null = null;
  visit(doc, {
    Alias(_, node) {
      const target = node.resolve(doc) as Node | undefined;
      if (!target) return undefined;
      const a = anchors.get(target) ?? { count: 0, weight: 0 };
      anchors.set(target, a);
      a.count += 1;
      if (a.weight === 0) a.weight = weight(target);
      if (a.count * a.weight <= MAX_ALIASES) return undefined;
      const anchor = posOf(target, lines);
      const from = anchor ? `, anchored at ${anchor.line}:${anchor.col}` : '';
      problem = problemAt(node, lines, `alias *${node.source} (use ${a.count} of &${node.source}${from}, which holds ${a.weight} aliased values) expands the document past ${MAX_ALIASES} aliased values; nested aliases that multiply like this ("billion laughs") are refused`);
      return visit.BREAK;
    },
  });
  return problem;
}

export function tooDeep(): string {
  return `lists and mappings are nested too deeply (more than ${MAX_NESTING} levels)`;
}

/** Where nesting first goes deeper than MAX_NESTING levels in the parsed tree, if anywhere. */
export function nestingProblem(contents: unknown, lines: LineCounter): Problem | null {
  const stack: Array<{ node: unknown; depth: number }> = [{ node: contents, depth: 0 }];
  while (stack.length) {
    const { node, depth } = stack.pop()!;
    if (!node || typeof node !== 'object') continue;
    const items = (node as { items?: unknown[] }).items;
    if (!Array.isArray(items)) continue;
    if (depth > MAX_NESTING) {
      const at = (node as { range?: [number, number, number] }).range?.[0];
      const pos = at === undefined ? undefined : lines.linePos(at);
      return { path: '', line: pos?.line, col: pos?.col, message: tooDeep() };
    }
    for (const item of items) {
      const pair = item as { key?: unknown; value?: unknown };
      if (pair && typeof pair === 'object' && 'value' in pair && 'key' in pair) stack.push({ node: pair.value, depth: depth + 1 });
      else stack.push({ node: item, depth: depth + 1 });
    }
  }
  return null;
}
