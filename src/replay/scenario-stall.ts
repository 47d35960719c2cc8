/**
 * A scenario step that can never finish (waiting for a request held at a breakpoint no step
 * resumes, or for a breakpoint whose event never comes) leaves nothing for Node to do, and the
 * process would exit 0 mid-phase. Poll the scheduler while a step waits: once it has been
 * stalled for a few polls in a row with no request completing, fail the step with why.
 */
import type { DeterministicScheduler } from '../io/scheduler.js';

const POLL_MS = 10;
/** Consecutive stalled polls with no completion before giving up (the engine may still be settling). */
const POLLS = 5;

export type Stall = NonNullable<ReturnType<DeterministicScheduler['stall']>>;

/** `p`, or a rejection with `explain(stall)` once the scheduler is stuck while waiting for it. */
export async function unlessStalled<T>(p: Promise<T>, scheduler: DeterministicScheduler, explain: (s: Stall) => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    let streak = 0;
    let last = -1;
    timer = setInterval(() => {
      const s = scheduler.stall();
      streak = s && s.completed === last ? streak + 1 : 0;
      last = s?.completed ?? -1;
      if (s && streak >= POLLS) reject(explain(s));
    }, POLL_MS);
  });
  try {
    return await Promise.race([p, stalled]);
  } finally {
    clearInterval(timer);
  }
}

/** "breakpoint A (l2_update)" for each held request's tag, once each. */
export function heldText(s: Stall): string {
  const tags = [...new Map(s.held.map((h) => [h.tag, h.event])).entries()];
  return tags.map(([tag, event]) => `breakpoint ${tag}${event ? ` (${event})` : ''}`).join(', ');
}
