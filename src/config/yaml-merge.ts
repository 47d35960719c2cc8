/** A key's pair in a YAML map as the parsed data sees it: the map's own, else inherited through a merge key (`<<: *a`, `<<: [*a, *b]`). */
import { isAlias, isMap, isPair, isScalar, isSeq, YAMLMap, type Document, type Node, type Pair } from 'yaml';

/** An alias as the node it names; anything else as is (null for nothing). */
export function resolveNode(doc: Document, node: unknown): Node | null {
  if (isAlias(node)) return (node.resolve(doc) as Node | undefined) ?? null;
  return (node as Node | undefined) ?? null;
}

/**
 * Maps' pairs by key, for a caller that looks up many keys in a document it no longer changes
 * (a Locator placing thousands of problems: a scan per lookup made 60,000 gate metrics minutes).
 */
export type KeyIndex = WeakMap<YAMLMap, Map<unknown, Pair>>;

function indexOf(index: KeyIndex, map: YAMLMap): Map<unknown, Pair> {
  let byKey = index.get(map);
  if (!byKey) {
    byKey = new Map();
    for (const p of map.items) {
      const k = isScalar(p.key) ? p.key.value : p.key;
      if (isPair(p) && !byKey.has(k)) byKey.set(k, p as Pair);
    }
    index.set(map, byKey);
  }
  return byKey;
}

/**
 * The pair of `key` in `map`: its own, else the first merge source that has it (sources in
 * order, nested merges followed), as YAML's merge rule gives the value. Null when none has it.
 */
export function pairOf(doc: Document, map: unknown, key: unknown, depth = 0, index?: KeyIndex): Pair | null {
  const node = resolveNode(doc, map);
  if (!isMap(node) || depth > 32) return null;
  const own = (index ? indexOf(index, node).get(key) : node.items.find((p) => isPair(p) && (isScalar(p.key) ? p.key.value : p.key) === key)) ?? node.items.find((p) => isPair(p) && jsKeyOf(doc, p) === key);
  if (own) return own as Pair;
  for (const p of node.items) {
    for (const source of mergeSources(p) ?? []) {
      const found = pairOf(doc, source, key, depth + 1, index);
      if (found) return found;
    }
  }
  return null;
}

/**
 * The key a pair has in the parsed data (`5`, `null` and `{ a: 1 }` become "5", "" and "{ a: 1 }"),
 * as the library itself makes it, so issues about such keys find their line. Null for the merge key.
 */
function jsKeyOf(doc: Document, pair: Pair): string | null {
  if (isScalar(pair.key) && typeof pair.key.value === 'symbol') return null;
  const one = new YAMLMap(doc.schema);
  one.items.push(pair);
  return Object.keys(one.toJS(doc) as object)[0] ?? null;
}

/** What a merge key (`<<: *a`, `<<: [*a, *b]`) merges, in order; null for any other pair. */
export function mergeSources(pair: Pair): unknown[] | null {
  if (!isScalar(pair.key) || typeof pair.key.value !== 'symbol') return null; // only the merge key has a symbol
  return isSeq(pair.value) ? pair.value.items : [pair.value];
}
