/**
 * A scenario phase: its steps run in order against the deterministic scheduler, so an
 * interleaving (blkdebug's break / wait_break / resume) is written down in the workload.
 * Requests go through job.ts `issue` (shadow verification, metrics) without being awaited;
 * `wait` awaits them by name. The phase ends once every request it issued is done.
 */
import type { DeterministicScheduler } from '../io/scheduler.js';
import type { ScenarioStep } from '../workload/types.js';
import { issue, type ReplayContext } from './job.js';

export async function runScenario(steps: readonly ScenarioStep[], scheduler: DeterministicScheduler | null, ctx: ReplayContext): Promise<void> {
  if (!scheduler) throw new Error('a scenario phase needs the deterministic scheduler (scheduler.mode: deterministic)');
  const issued: Array<Promise<void>> = [];
  const named = new Map<string, Promise<void>>();
  const held = new Set<string>();
  try {
    for (const step of steps) {
      if (ctx.stopped()) break;
      switch (step.kind) {
        case 'break':
          scheduler.breakAt(step.event, step.tag);
          held.add(step.tag);
          break;
        case 'request': {
          const p = issue(step.req, ctx);
          p.catch(() => {}); // awaited below; not an unhandled rejection meanwhile
          issued.push(p);
          if (step.as !== null) named.set(step.as, p);
          break;
        }
        case 'wait-break':
          await scheduler.waitBreak(step.tag);
          break;
        case 'resume':
          scheduler.resume(step.tag);
          held.delete(step.tag);
          break;
        case 'wait':
          await Promise.all(step.names === 'all' ? [...issued] : step.names.map((n) => named.get(n) ?? Promise.reject(new Error(`scenario: no request named "${n}"`))));
          break;
      }
    }
  } finally {
    // Stopped early (or failed): let held requests go, so that waiting for them ends.
    for (const tag of held) scheduler.resume(tag);
  }
  await Promise.all(issued);
}
