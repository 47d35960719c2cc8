import type { EvictionPolicy } from '../policy.js';
import { FifoPolicy, FifoUnsafePolicy } from './fifo.js';

const factories: Record<string, () => EvictionPolicy> = {
  fifo: () => new FifoPolicy(),
  'fifo-unsafe': () => new FifoUnsafePolicy(),
};

export const POLICY_NAMES = Object.keys(factories);

export function createPolicy(name: string): EvictionPolicy {
  const make = factories[name];
  if (!make) {
    throw new Error(`unknown cache policy "${name}"; known policies: ${POLICY_NAMES.join(', ')}`);
  }
  return make();
}
