/** The engine's defaults and choices that workloads and the CLI validate against (no engine code). */
import type { PolicyName } from '../cache/policies/index.js';

/** L2 cache capacity in tables (QEMU: 50). */
export const DEFAULT_CACHE_SIZE = 50;

/** The L2 cache eviction policy (QEMU's order). */
export const DEFAULT_POLICY: PolicyName = 'fifo';

/**
 * The L2 table cache's settings: the workload's `cache` section, passed as is to the engine's
 * OpenOptions.l2Cache (named so there because FileOpenOptions.cache is the host page-cache mode).
 */
export interface L2CacheSettings {
  /** Capacity in L2 tables (QEMU: 50). */
  size: number;
  /** Eviction policy (see cache/policies). */
  policy: PolicyName;
}

/**
 * serial: one allocating write at a time (QEMU's queue). parallel: allocating writes under
 * different L1 entries run together; those under one L1 entry still queue. See docs/engine.md.
 */
export const ALLOCATION_MODES = ['serial', 'parallel'] as const;
export type AllocationMode = (typeof ALLOCATION_MODES)[number];
export const DEFAULT_ALLOCATION: AllocationMode = 'serial';
