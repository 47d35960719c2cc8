/**
 * File names derived from workload names: letters, digits and `. _ - = ,` are kept (a matrix run
 * is named like "mixed[cache.size=4,policy=lru]"), any other run of characters becomes one "_".
 */
export function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._=,-]+/g, '_');
}

/**
 * As safeFileName, but `=` and `,` go too: for image files, which may be handed to QEMU, whose
 * option strings (`-drive file=…`, `-o backing_file=…`) split on them.
 */
export function qemuSafeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}
