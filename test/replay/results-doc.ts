import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One documented field of docs/results.md: its name(s) and the key lists its meaning gives. */
export interface DocRow {
  /** Field names of the first column, e.g. ['startedAt', 'finishedAt'] or ['ops.{read,write,zero,flush}']. */
  names: string[];
  /** Key lists from the second column: `{a, b (note), c}` or `a, b, c` in backticks. */
  keyLists: string[][];
  /** The meaning starts "only with ...": the field is present only under that option. */
  optional: boolean;
}

/** The three tables of docs/results.md: results file, metrics object, integrity. */
export function resultsDocTables(): DocRow[][] {
  const text = readFileSync(fileURLToPath(new URL('../../docs/results.md', import.meta.url)), 'utf8');
  const tables: DocRow[][] = [];
  let current: DocRow[] | null = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) {
      current = null;
      continue;
    }
    if (!current) {
      current = [];
      tables.push(current);
    }
    const cols = line.split(' | ');
    if (cols.length < 2 || !cols[0].includes('`')) continue; // header and separator rows
    const ticks = (s: string): string[] => [...s.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    const names = ticks(cols[0]);
    const keyLists = ticks(cols.slice(1).join(' | '))
      .filter((t) => t.includes(','))
      .map((t) => t.replace(/^\{|\}$/g, '').replace(/\([^)]*\)/g, '').split(',').map((k) => k.trim()).filter(Boolean));
    current.push({ names, keyLists, optional: /^\s*only with\b/.test(cols[1]) });
  }
  return tables;
}
