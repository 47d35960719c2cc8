/**
 * A phase's `scenario:` from the parsed YAML to ScenarioSteps, with the checks that can be
 * made before running: the deterministic scheduler, requests inside the image, and names
 * (request `as`, breakpoint tags) used only after an earlier step declares them. Every
 * breakpoint must be resumed within its phase, since the phase ends by waiting for everything.
 */
import { SECTOR } from '../qed/format.js';
import { formatSize } from '../util/size.js';
import type { PathSeg } from '../config/paths.js';
import type { ParsedScenario } from './schema.js';
import type { ScenarioStep } from './types.js';

type Report = (path: PathSeg[], message: string, hint?: string) => void;

export function normalizeScenario(steps: ParsedScenario, at: PathSeg[], mode: 'real' | 'deterministic', imageSize: number | null, report: Report): ScenarioStep[] {
  if (mode !== 'deterministic') {
    report(at, `a scenario needs scheduler.mode: deterministic, found scheduler.mode: ${mode}`, 'add scheduler: { mode: deterministic } (breakpoints hold requests in the virtual scheduler)');
  }
  const names = new Set<string>();
  /** Breakpoint tags set and not yet resumed, with the step that set them. */
  const active = new Map<string, number>();
  const out: ScenarioStep[] = [];
  steps.forEach((s, i) => {
    const p = (...keys: PathSeg[]): PathSeg[] => [...at, i, ...keys];
    if (s.break) {
      if (active.has(s.break.tag)) report(p('break', 'tag'), `breakpoint tag "${s.break.tag}" is already set (by step ${active.get(s.break.tag)}) and not yet resumed`);
      active.set(s.break.tag, i);
      out.push({ kind: 'break', event: s.break.event, tag: s.break.tag });
    } else if (s.request) {
      const r = s.request;
      if (r.op === 'flush') {
        if (r.offset !== undefined || r.length !== undefined) report(p('request'), 'a flush takes no offset or length', 'remove them');
      } else if (r.offset === undefined || r.length === undefined) {
        report(p('request', r.offset === undefined ? 'offset' : 'length'), `missing; a ${r.op} needs an offset and a length`, 'e.g. request: { op: write, offset: 4k, length: 4k }');
      } else if (r.offset % SECTOR || r.length % SECTOR) {
        report(p('request', r.offset % SECTOR ? 'offset' : 'length'), `expected a multiple of 512 bytes, found ${r.offset % SECTOR ? r.offset : r.length} bytes`);
      } else if (imageSize !== null && r.offset + r.length > imageSize) {
        report(p('request'), `expected a request inside the image (${formatSize(imageSize)}), found offset ${formatSize(r.offset)} + length ${formatSize(r.length)}`);
      }
      if (r.as !== undefined) {
        if (r.as === 'all') report(p('request', 'as'), '"all" is reserved (wait: all waits for every request)', 'choose another name');
        else if (names.has(r.as)) report(p('request', 'as'), `request name "${r.as}" is already used in this scenario; names must be unique`);
        names.add(r.as);
      }
      out.push({ kind: 'request', req: { op: r.op, offset: r.offset ?? 0, length: r.length ?? 0 }, as: r.as ?? null });
    } else if (s.wait_break !== undefined) {
      if (!active.has(s.wait_break)) report(p('wait_break'), unknownTag(s.wait_break), tagHint(active));
      out.push({ kind: 'wait-break', tag: s.wait_break });
    } else if (s.resume !== undefined) {
      if (!active.has(s.resume)) report(p('resume'), unknownTag(s.resume), tagHint(active));
      active.delete(s.resume);
      out.push({ kind: 'resume', tag: s.resume });
    } else if (s.wait !== undefined) {
      if (s.wait === 'all') {
        out.push({ kind: 'wait', names: 'all' });
      } else {
        const list = typeof s.wait === 'string' ? [s.wait] : s.wait;
        list.forEach((n, k) => {
          if (!names.has(n)) {
            const known = [...names];
            report(typeof s.wait === 'string' ? p('wait') : p('wait', k), `unknown request name "${n}"; a wait names a request given \`as:\` by an earlier step`, known.length ? `known here: ${known.join(', ')}, or all` : 'add as: to a request step, or wait: all');
          }
        });
        out.push({ kind: 'wait', names: list });
      }
    }
  });
  for (const [tag, i] of active) {
    report([...at, i, 'break'], `breakpoint "${tag}" is never resumed in this phase`, `add a step resume: ${tag} (the phase ends by waiting for every request)`);
  }
  return out;
}

function unknownTag(tag: string): string {
  return `unknown breakpoint tag "${tag}"; expected a tag set by an earlier break step and not yet resumed`;
}

function tagHint(active: Map<string, number>): string | undefined {
  return active.size ? `set here: ${[...active.keys()].join(', ')}` : 'add a step such as break: { event: l2_update, tag: A } before it';
}
