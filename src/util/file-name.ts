import { createHash } from 'node:crypto';

/**
 * File names derived from workload names: letters, digits and `. _ - = ,` are kept (bench:ci's
 * committed baseline is named so), any other run of characters becomes one "_".
 */
export function safeFileName(name: string): string {
  return fitName(name.replace(/[^A-Za-z0-9._=,-]+/g, '_'));
}

/** Longest stem kept whole: with a time stamp and an extension it stays under 255 bytes, a file system's limit for one name. */
const MAX_STEM = 200;

/**
 * A stem too long for one file name (a long workload name, a matrix over many settings) is cut,
 * and a hash of the whole keeps two long names that share a start apart.
 */
function fitName(stem: string): string {
  if (stem.length <= MAX_STEM) return stem;
  return `${stem.slice(0, MAX_STEM - 9)}_${createHash('sha256').update(stem).digest('hex').slice(0, 8)}`;
}

/**
 * Results file names for people and shells: without `=` and `,`, so a matrix run
 * "mixed[cache.size=8,cache.policy=fifo]" becomes "mixed.cache-size-8.fifo" (a policy is its
 * own label; other settings are key-value), and any other run of characters outside letters,
 * digits and `. _ -` becomes one "_".
 */
export function resultsFileStem(name: string): string {
  const m = /^(.*?)\[(.*)\]$/.exec(name);
  const stem = m ? [m[1], ...m[2].split(',').map(setting)].join('.') : name;
  return fitName(stem.replace(/[^A-Za-z0-9._-]+/g, '_'));
}

function setting(kv: string): string {
  const eq = kv.indexOf('=');
  if (eq < 0) return kv;
  const key = kv.slice(0, eq);
  const value = kv.slice(eq + 1);
  return /(^|\.)policy$/.test(key) ? value : `${key.replace(/[.[\]]+/g, '-').replace(/-$/, '')}-${value}`;
}

/**
 * As safeFileName, but `=` and `,` go too: for image files, which may be handed to QEMU, whose
 * option strings (`-drive file=…`, `-o backing_file=…`) split on them.
 */
export function qemuSafeFileName(name: string): string {
  return fitName(name.replace(/[^A-Za-z0-9._-]+/g, '_'));
}
