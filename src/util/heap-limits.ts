/** V8 heap limits for long replays: the young generation capped small (the CLI's own thread and worker threads), old space grown in small steps. */
import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';

/**
 * A semi-space of V8's young generation may grow to this (MiB; V8's own cap is 16). Two 16 MiB
 * semi-spaces hold about 30 MiB of RSS for a few MiB of live young objects; two of 4 MiB cost a
 * few % of a replay's CPU in more frequent scavenges.
 */
export const SEMI_SPACE_MIB = 4;

/** For `new Worker(..., { resourceLimits })`: V8 sizes a young generation at three semi-spaces. */
export const WORKER_YOUNG_GENERATION_MB = 3 * SEMI_SPACE_MIB;

/**
 * How far old space may grow past what a full GC left before the next one (%; V8 otherwise picks
 * up to 4x for a small heap). A replay promotes what its requests hold across scavenges, and that
 * garbage waited for a full GC: tens of MiB of a trace replay's RSS, for a few % of CPU.
 */
export const OLD_SPACE_GROWTH_PERCENT = 20;

/**
 * Both limits, for this process (the CLI's main() calls it). `--max-semi-space-size` counts only
 * when given to node itself (the heap is configured before any code runs), but the flags set here
 * are read when the heap grows, so they count when set at runtime, process-wide: in worker
 * threads too. Workers get their young-generation cap from resourceLimits (worker-pool.ts), but a
 * worker started after this thread reached its cap (e.g. a trace sweep, after the stats pass) never
 * grows its young generation past V8's initial size, and every worker's old space grows by 20 %
 * steps: fewer MiB, a few % more CPU in scavenges and full GCs (docs/benchmarks.md).
 */
export function limitHeap(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${OLD_SPACE_GROWTH_PERCENT}`);
  limitYoungGeneration();
}

/**
 * Stop the young generation growing past SEMI_SPACE_MIB: the growth factor is read each time it
 * grows, so once it has reached the cap (checked after each GC, as V8 reports GCs when the event
 * loop turns: a long synchronous stretch may grow past it; a replay yields between requests),
 * growth is turned off for the rest of the process.
 */
function limitYoungGeneration(): void {
  const cap = 2 * SEMI_SPACE_MIB * 1048576; // new_space's size counts both semi-spaces
  const newSpace = (): number => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
  const stop = (): void => v8.setFlagsFromString('--semi-space-growth-factor=1');
  if (newSpace() >= cap) return stop();
  const watch = new PerformanceObserver(() => {
    if (newSpace() < cap) return;
    stop();
    watch.disconnect();
  });
  watch.observe({ entryTypes: ['gc'] });
}
