/** Option parsers shared by the commands, and how a command registers itself. */
import { MAX_CACHE_TABLES } from '../cache/limits.js';
import { InvalidArgumentError } from 'commander';
import { parseSize } from '../util/size.js';
import { parse as parseYaml } from 'yaml';
import { formatPath, parsePath } from '../config/paths.js';
import { CliUsageError } from './errors.js';
import type { Output } from './output.js';

/** Option parsers: a bad value becomes commander's error naming the option. */
export function sizeArg(value: string): number {
  try {
    return parseSize(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** A file or directory option: an empty value (-o "" from an unset shell variable) is refused, not taken as "not given". */
export function pathArg(value: string): string {
  if (value === '') throw new InvalidArgumentError('expected a path, found an empty string');
  return value;
}

export function intArg(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a whole number`);
  const n = Number(value);
  // Past 2^53 the Number is not the value typed (and --repeat 1e20 ran for ever).
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`"${value}" is too large: at most 2^53 − 1`);
  return n;
}

/** A whole number from 1 to `max`, `what` saying why the bound (an --iodepth, a --repeat). */
export function boundedIntArg(max: number, what: string): (value: string) => number {
  return (value) => {
    const n = positiveIntArg(value);
    if (n > max) throw new InvalidArgumentError(`"${value}" is more than ${max}: ${what}`);
    return n;
  };
}

export function positiveIntArg(value: string): number {
  const n = intArg(value);
  if (n < 1) throw new InvalidArgumentError(`"${value}" must be at least 1`);
  return n;
}

/** The longest timer Node sets: past it setTimeout fires after 1 ms (a huge --idle-timeout closed every client at once). */
export const MAX_TIMER_MS = 2 ** 31 - 1;
const TIMER_WHY = 'the longest timer in ms Node can set (about 24.8 days)';

/** A timeout in ms, 0 allowed (never). */
export function timerMsArg(value: string): number {
  const n = intArg(value);
  if (n > MAX_TIMER_MS) throw new InvalidArgumentError(`"${value}" is more than ${MAX_TIMER_MS}: ${TIMER_WHY}`);
  return n;
}

/** A timeout in ms of at least 1. */
export const positiveTimerMsArg = boundedIntArg(MAX_TIMER_MS, TIMER_WHY);

/** Most worker threads a command starts: each loads the engine and holds an image of its own. */
export const MAX_JOBS = 64;

/** --jobs: 1 to MAX_JOBS (--jobs 9999 started one thread per task, a thousand for stress's default seeds, and hung). */
export const jobsArg = boundedIntArg(MAX_JOBS, 'the most worker threads allowed (each holds its own engine and image)');

/** "4,8,16" → [4, 8, 16]: cache sizes in L2 tables, whole and at least 1, deduplicated and sorted. */
export function cacheSizesArg(value: string): number[] {
  const items = value.split(',').map((x) => x.trim()).filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('name at least one cache size, e.g. 4,8,16');
  const bad = items.filter((x) => !/^\d+$/.test(x) || Number(x) < 1 || Number(x) > MAX_CACHE_TABLES);
  if (bad.length) {
    throw new InvalidArgumentError(
      `${bad.map((x) => `"${x}"`).join(', ')} ${bad.length === 1 ? 'is not a cache size' : 'are not cache sizes'}; sizes are whole numbers of L2 tables, at least 1 and at most ${MAX_CACHE_TABLES}, e.g. 4,8,16`,
    );
  }
  return [...new Set(items.map(Number))].sort((a, b) => a - b);
}

/** One cache size in L2 tables (io, serve): as one item of cacheSizesArg. */
export function cacheSizeArg(value: string): number {
  if (value.includes(',')) throw new InvalidArgumentError(`"${value}": give one cache size, e.g. 16`);
  return cacheSizesArg(value)[0];
}

/** A SHARDS sampling rate: a number above 0 and at most 1 (1 is the exact curve). */
export function sampleRateArg(value: string): number {
  const r = Number(value);
  if (!/^\s*[\d.eE+-]+\s*$/.test(value) || !Number.isFinite(r) || r <= 0 || r > 1) {
    throw new InvalidArgumentError(`"${value}" is not a sampling rate; give a number above 0 and at most 1, e.g. 0.01 (1 = exact)`);
  }
  return r;
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * --set, repeatable: a field set twice (or a field and a mapping or list holding it) is refused,
 * naming both, instead of the last one winning unseen. A key that is not a path is left to the
 * workload loader, which explains the key.path=value form.
 */
export function setArg(value: string, previous: string[]): string[] {
  const mine = setKey(value);
  const clash = mine === null ? undefined : previous.find((p) => {
    const theirs = setKey(p);
    return theirs !== null && pathsOverlap(theirs, mine);
  });
  if (clash !== undefined && mine !== null) {
    const theirs = setKey(clash)!;
    const what = theirs === mine ? `both set ${mine}` : `overlap (${mine.length < theirs.length ? `${mine} holds ${theirs}` : `${theirs} holds ${mine}`})`;
    throw new InvalidArgumentError(`--set ${clash} and --set ${value} ${what}; set each field once (the last would silently win)`);
  }
  return [...previous, value];
}

/** The field a --set names, written one way ("phases.0.x" and "phases[0].x" alike); null when not a path. */
export function setKey(arg: string): string | null {
  const eq = arg.indexOf('=');
  const path = eq > 0 ? parsePath(arg.slice(0, eq)) : null;
  return path ? formatPath(path) : null;
}

/** One field path is the other or holds it. */
export function pathsOverlap(a: string, b: string): boolean {
  const holds = (x: string, y: string) => x === y || y.startsWith(`${x}.`) || y.startsWith(`${x}[`);
  return holds(a, b) || holds(b, a);
}

/**
 * Fields a command sets itself after the user's --set (stress's seed, sweep's cache size): a --set
 * of one, or of a mapping that gives one, would be silently replaced, so it is refused with `why`.
 */
export function refuseOwnedSets(command: string, set: readonly string[], owned: ReadonlyArray<readonly [field: string, why: string]>): void {
  for (const arg of set) {
    const key = setKey(arg);
    if (key === null) continue;
    for (const [field, why] of owned) {
      if (!pathsOverlap(field, key)) continue;
      // A mapping above the field replaces it only if it names it: --set 'cache={size: 4}' leaves the policy alone.
      if (key.length < field.length && !givesField(arg.slice(arg.indexOf('=') + 1), field.slice(key.length + 1))) continue;
      throw new CliUsageError(`--set ${arg}: ${command} sets ${field} itself (${why}), so this value would be silently replaced`);
    }
  }
}

function givesField(valueText: string, rest: string): boolean {
  let v: unknown;
  try {
    v = parseYaml(valueText);
  } catch {
    return false; // the loader reports the value
  }
  for (const seg of parsePath(rest) ?? []) {
    if (v === null || typeof v !== 'object' || !(String(seg) in v)) return false;
    v = (v as Record<string, unknown>)[String(seg)];
  }
  return true;
}

/** Commander's own errors (unknown option, missing argument) in our format, naming the command. */
export function usageOutput(out: Output, command?: string) {
  const hint = command ? ` (see 'qed-bench ${command} --help')` : ` (see 'qed-bench --help')`;
  return {
    writeOut: (s: string) => out.stdout(s),
    writeErr: (s: string) => out.stderr(s),
    outputError: (s: string, write: (s: string) => void) =>
      write(`qed-bench: ${command ? `${command}: ` : ''}${s.replace(/^error: /, '').trimEnd()}${hint}\n`),
  };
}

/** How a command module adds itself to the program: `setCode` receives its exit code. */
export type RegisterCommand = (program: import('commander').Command, out: Output, setCode: (code: number) => void) => void;
