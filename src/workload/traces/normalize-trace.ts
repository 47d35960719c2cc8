/** A job's `trace:` mapping as parsed from YAML, to the TraceJobSpec the runner reads. */
import { basename, resolve } from 'node:path';
import { FORMAT_NAMES, detectFormat } from './formats.js';
import { decompressedHead } from './input.js';
import { isUtf16 } from '../../util/utf16.js';
import { isPowerOfTwo } from '../../qed/format.js';
import { statOf } from '../../util/stat-of.js';
import type { PathSeg } from '../../config/paths.js';
import type { ParsedJob } from '../schema.js';
import type { TraceJobSpec } from '../types.js';
import { OFFSET_UNITS, TIME_UNITS } from './options.js';

/** The largest trace.align accepted. */
const MAX_ALIGN = 1024 * 1024;

type Report = (path: PathSeg[], message: string, hint?: string) => void;

export function normalizeTrace(t: NonNullable<ParsedJob['trace']>, dir: string, exists: (p: string) => boolean, at: PathSeg[], report: Report): TraceJobSpec {
  const file = resolve(dir, t.file);
  let format = t.format ?? null;
  if (!exists(file)) report([...at, 'file'], `expected an existing trace file, found "${t.file}" (${file} does not exist)`);
  else if (statOf(file)?.isDirectory()) report([...at, 'file'], `expected a trace file, found "${t.file}" (${file} is a directory)`);
  else if (format === null) {
    // Detected here, so an undetectable trace is a located workload error, not a failed replay.
    const head = decompressedHead(file);
    const found = detectFormat(basename(file), head);
    if (found) format = found.name;
    else if (isUtf16(head)) report([...at, 'file'], `expected a UTF-8 or ASCII trace, found UTF-16 text in ${t.file}`, 'convert it first, e.g. iconv -f UTF-16 -t UTF-8');
    else report([...at, 'format'], `missing; the format of ${t.file} cannot be told from its name and first lines`, `add format: one of ${FORMAT_NAMES.join(', ')}`);
  }
  const align = t.align ?? 512;
  // Every request grows to a multiple of align: past 1 MiB a replay moves mostly padding (align: 1G made each 4 KiB request 1 GiB).
  if (!isPowerOfTwo(align) || align > MAX_ALIGN) report([...at, 'align'], `expected a power of two from 512 to 1 MiB, found ${align}`);
  if (t.scale !== undefined && t.fit !== 'scale') report([...at, 'scale'], `scale applies only to fit: scale (this trace's fit is ${t.fit})`, 'remove it or set fit: scale');
  const csvOnly = (['columns', 'offset_unit', 'time_unit'] as const).filter((k) => t[k] !== undefined);
  if (csvOnly.length && t.format !== 'csv') report([...at, csvOnly[0]], `${csvOnly[0]} applies only to format: csv`, 'set format: csv');
  if (t.timing === 'fast' && t.speed !== undefined) report([...at, 'speed'], 'speed applies only to timing: original', 'remove timing: fast (speed implies original)');
  return {
    file,
    format,
    device: t.device ?? null,
    fit: t.fit,
    scale: t.scale ?? null,
    align,
    timing: t.speed !== undefined ? 'original' : (t.timing ?? 'fast'),
    speed: t.speed ?? 1,
    maxBadLines: t.max_bad_lines,
    ...(t.columns ? { columns: t.columns } : {}),
    ...(t.offset_unit ? { offsetUnit: OFFSET_UNITS[t.offset_unit] } : {}),
    ...(t.time_unit ? { timeUnit: TIME_UNITS[t.time_unit] } : {}),
  };
}
