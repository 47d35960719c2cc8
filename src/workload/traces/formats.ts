/** Every trace format by name, and auto-detection from the file name and first bytes. */
import { alibaba } from './formats/alibaba.js';
import { blkparse } from './formats/blkparse.js';
import { blktrace } from './formats/blktrace.js';
import { genericCsv } from './formats/generic-csv.js';
import { iolog } from './formats/fio-iolog.js';
import { k5cloud } from './formats/k5cloud.js';
import { msr } from './formats/msr.js';
import { oracleGeneral } from './formats/oracle-general.js';
import { systor } from './formats/systor.js';
import { tencent } from './formats/tencent.js';
import type { TraceFormat } from './types.js';

export const FORMATS: readonly TraceFormat[] = [iolog, blkparse, blktrace, msr, alibaba, tencent, systor, k5cloud, oracleGeneral, genericCsv];
export const FORMAT_NAMES = FORMATS.map((f) => f.name) as [string, ...string[]];

export function formatByName(name: string): TraceFormat | undefined {
  return FORMATS.find((f) => f.name === name);
}

/** Names ending like this are not traces but table streams (cache-only sweeps). */
export const TABLES_SUFFIX = /\.tables(\.gz|\.zst)?$/i;

/**
 * The format of a trace: the content decides when exactly one format recognises it; the name
 * breaks ties and names the binary formats that carry no magic. Null when unsure.
 */
export function detectFormat(name: string, head: Buffer): TraceFormat | null {
  const bare = name.replace(/\.(gz|zst)$/i, '');
  const binary = FORMATS.filter((f) => f.kind === 'binary' && f.sniff(head));
  if (binary.length === 1) return binary[0];
  const byName = FORMATS.filter((f) => f.nameHint?.test(bare));
  if (byName.some((f) => f.kind === 'binary')) return byName.find((f) => f.kind === 'binary')!;
  const first = firstLine(head);
  if (first === null) return byName.length === 1 ? byName[0] : null;
  const text = FORMATS.filter((f) => f.kind === 'text' && f.sniff(first));
  if (text.length === 1) return text[0];
  const both = text.filter((f) => byName.includes(f));
  return both.length === 1 ? both[0] : null;
}

/** The first non-empty line when the head looks like text (no NUL bytes), else null. */
function firstLine(head: Buffer): string | null {
  if (head.includes(0)) return null;
  for (const line of head.toString('utf8').split('\n')) if (line.trim()) return line.replace(/\r$/, '');
  return null;
}
