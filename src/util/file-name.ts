/**
 * File names derived from workload names: letters, digits and `. _ - = ,` are kept (bench:ci's
 * committed baseline is named so), any other run of characters becomes one "_".
 */
export function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._=,-]+/g, '_');
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
  return stem.replace(/[^A-Za-z0-9._-]+/g, '_');
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
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}
