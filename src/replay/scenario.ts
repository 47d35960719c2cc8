/**
 * A scenario phase: its steps run in order against the deterministic scheduler, so an
 * interleaving (blkdebug's break / wait_break / resume) is written down in the workload.
 * Requests go through job.ts `issue` (shadow verification, metrics) without being awaited;
 * `wait` awaits them by name. The phase ends once every request it issued is done.
 */
import type { DeterministicScheduler } from '../io/scheduler.js';
import { WorkloadError } from '../workload/errors.js';
import type { IoRequest, ScenarioStep } from '../workload/types.js';
import { issue, type ReplayContext } from './job.js';
import { heldText, unlessStalled } from './scenario-stall.js';

/** Where the scenario is in the workload, for an error naming its step. */
export interface ScenarioWhere {
  source: string;
  /** `phases[i].scenario`. */
  path: string;
  phase: string;
}

export async function runScenario(steps: readonly ScenarioStep[], scheduler: DeterministicScheduler | null, ctx: ReplayContext, where?: ScenarioWhere): Promise<void> {
  if (!scheduler) throw new Error('a scenario phase needs the deterministic scheduler (scheduler.mode: deterministic)');
  const issued: Array<Promise<void>> = [];
  const named = new Map<string, { p: Promise<void>; req: IoRequest; done: boolean }>();
  const held = new Set<string>();
  const stuck = (index: number, why: string) =>
    new WorkloadError(where?.source ?? 'scenario', [{ path: `${where?.path ?? 'scenario'}[${index}]`, message: `${why}; the phase${where ? ` "${where.phase}"` : ''} can never finish (nothing else can make progress)` }]);
  try {
    for (const [index, step] of steps.entries()) {
      if (ctx.stopped()) break;
      switch (step.kind) {
        case 'break':
          scheduler.breakAt(step.event, step.tag);
          held.add(step.tag);
          break;
        case 'request': {
          const p = issue(step.req, ctx, undefined, index); // one chain per step
          p.catch(() => {}); // awaited below; not an unhandled rejection meanwhile
          issued.push(p);
          if (step.as !== null) {
            const entry = { p, req: step.req, done: false };
            void p.finally(() => (entry.done = true)).catch(() => {});
            named.set(step.as, entry);
          }
          break;
        }
        case 'wait-break':
          await unlessStalled(scheduler.waitBreak(step.tag), scheduler, (s) => {
            const bp = s.armed.find((b) => b.tag === step.tag);
            const blocked = s.held.length ? `; the requests in flight are held at ${heldText(s)}` : '; no request is in flight';
            return stuck(index, `wait_break: ${step.tag}: no request reaches ${bp ? `event ${bp.event} of ` : ''}breakpoint ${step.tag}${blocked}`);
          });
          break;
        case 'resume':
          scheduler.resume(step.tag);
          held.delete(step.tag);
          break;
        case 'wait': {
          const names = step.names === 'all' ? null : step.names;
          const waitFor = names ? names.map((n) => named.get(n)?.p ?? Promise.reject(new Error(`scenario: no request named "${n}"`))) : [...issued];
          await unlessStalled(Promise.all(waitFor), scheduler, (s) => {
            const open = names ? names.filter((n) => !named.get(n)?.done) : [];
            const what = names ? open.map((n) => `${n} (${describe(named.get(n)!.req)})`).join(', ') : 'all requests';
            const why = s.held.length ? `held at ${heldText(s)}, which no step before this one resumes (resume it first)` : 'not in flight';
            return stuck(index, `wait: ${names ? names.join(', ') : 'all'}: ${what} ${open.length > 1 ? 'are' : 'is'} ${why}`);
          });
          break;
        }
      }
    }
  } finally {
    // Stopped early (or failed): let held requests go, so that waiting for them ends.
    for (const tag of held) scheduler.resume(tag);
  }
  await Promise.all(issued);
}

function describe(r: IoRequest): string {
  return r.op === 'flush' ? 'flush' : `${r.op} ${r.length} bytes at offset ${r.offset}`;
}
