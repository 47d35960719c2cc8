/** The engine's defaults and choices that workloads and the CLI validate against (no engine code). */

/** L2 cache capacity in tables (QEMU: 50). */
export const DEFAULT_CACHE_SIZE = 50;

/** The L2 cache eviction policy (QEMU's order). */
export const DEFAULT_POLICY = 'fifo';

/**
 * serial: one allocating write at a time (QEMU's queue). parallel: allocating writes under
 * different L1 entries run together; those under one L1 entry still queue. See docs/engine.md.
 */
export const ALLOCATION_MODES = ['serial', 'parallel'] as const;
export type AllocationMode = (typeof ALLOCATION_MODES)[number];
export const DEFAULT_ALLOCATION: AllocationMode = 'serial';
