/**
 * The deterministic scheduler's canonical order: requests issued between two steps are ranked by
 * origin (who issued them), not by arrival, so how many microtask hops each chain took before
 * it reached the scheduler (the engine's await count) cannot change which request completes when.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryBackend } from '../../src/io/memory-backend.js';
import { DeterministicScheduler } from '../../src/io/scheduler.js';

/** Chains of the given depths (microtask hops) each issue one write tagged with their origin; the completion order. */
async function completionOrder(depths: number[], seed: number, reorder: number, tagged = true): Promise<number[]> {
  const c = { kind: 'uniform', minUs: 5, maxUs: 50 } as const;
  const s = new DeterministicScheduler({ seed, reorder, latency: { read: c, write: c, flush: c } });
  const dev = s.attach(new MemoryBackend());
  const order: number[] = [];
  await Promise.all(
    depths.map(async (depth, origin) => {
      for (let i = 0; i < depth; i++) await null;
      await dev.write(new Uint8Array(512), origin * 512, 'write_aio', tagged ? origin : undefined);
      order.push(origin);
    }),
  );
  return order;
}

describe('DeterministicScheduler canonical order', () => {
  it('completes the requests of one step in the same order however many hops each chain took', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(20), { minLength: 2, maxLength: 12 }), fc.array(fc.nat(20), { minLength: 12, maxLength: 12 }), fc.nat(1000), fc.nat(4), async (a, hops, seed, reorder) => {
        const b = a.map((_, i) => hops[i]); // same requests, other arrival order
        expect(await completionOrder(b, seed, reorder)).toEqual(await completionOrder(a, seed, reorder));
      }),
      { numRuns: 60 },
    );
  });

  it('without origins the arrival order decides (what the tags are for)', async () => {
    const seen = new Set<string>();
    for (const depths of [[0, 5, 10, 15], [15, 10, 5, 0]]) seen.add((await completionOrder(depths, 3, 0, false)).join());
    expect(seen.size).toBe(2);
    const tagged = new Set<string>();
    for (const depths of [[0, 5, 10, 15], [15, 10, 5, 0]]) tagged.add((await completionOrder(depths, 3, 0)).join());
    expect([...tagged]).toEqual(['0,1,2,3']); // reorder 0: by origin
  });
});
