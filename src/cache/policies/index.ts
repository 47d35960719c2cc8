/** The eviction policies by name: the list the workload schema accepts, and their factories. */
import type { EvictionPolicy } from '../policy.js';
import { ArcPolicy } from './arc.js';
import { ClockPolicy } from './clock.js';
import { FifoPolicy, FifoUnsafePolicy } from './fifo.js';
import { LfuAgingPolicy, LfuPolicy } from './lfu.js';
import { LruPolicy } from './lru.js';
import { S3FifoPolicy } from './s3-fifo.js';
import { SievePolicy } from './sieve.js';
import { TwoQPolicy } from './2q.js';

/** Policies that size queues from the capacity get it from the cache (setCapacity). */
const factories = {
  fifo: () => new FifoPolicy(),
  'fifo-unsafe': () => new FifoUnsafePolicy(),
  lru: () => new LruPolicy(),
  clock: () => new ClockPolicy(),
  '2q': () => new TwoQPolicy(),
  arc: () => new ArcPolicy(),
  's3-fifo': () => new S3FifoPolicy(),
  sieve: () => new SievePolicy(),
  lfu: () => new LfuPolicy(),
  'lfu-aging': () => new LfuAgingPolicy(),
} satisfies Record<string, () => EvictionPolicy>;

/** An eviction policy's name, as the workload's cache.policy and the engine's l2Cache.policy take it. */
export type PolicyName = keyof typeof factories;

export const POLICY_NAMES = Object.keys(factories) as PolicyName[];

export function isPolicyName(name: string): name is PolicyName {
  return (POLICY_NAMES as readonly string[]).includes(name);
}

/** Takes any string (names from tests and scripts) and refuses an unknown one. */
export function createPolicy(name: string): EvictionPolicy {
  const make = (factories as Record<string, () => EvictionPolicy>)[name];
  if (!make) {
    throw new Error(`unknown cache policy "${name}"; known policies: ${POLICY_NAMES.join(', ')}`);
  }
  return make();
}

/** Policies that reproduce a known bug (they evict in-use entries) and are expected to lose data. */
export const UNSAFE_POLICIES: ReadonlySet<string> = new Set(POLICY_NAMES.filter((name) => !createPolicy(name).respectsInUse));
