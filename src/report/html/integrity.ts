/** Section 6: the integrity verdict of every run and the evidence behind it. */
import type { ReportRun } from '../report-inputs.js';
import { esc } from '../svg/escape.js';

/** One row per run, named by workload, size, policy and where it came from, sorted by those. */
export function integrityTable(runs: ReportRun[]): string {
  const count = { passed: 0, failed: 0, skipped: 0 };
  const sorted = [...runs].sort((a, b) => a.workload.localeCompare(b.workload) || a.size - b.size || a.policy.localeCompare(b.policy) || a.source.localeCompare(b.source));
  const rows = sorted.map((r) => {
    const i = r.results.integrity;
    count[i.verdict]++;
    const cells = [
      esc(r.workload),
      esc(r.source.replace(/^.*\//, '')),
      esc(r.results.timing === 'virtual' ? 'virtual' : 'wall-clock'),
      esc(r.size),
      esc(r.policy),
      `<span class="verdict ${i.verdict}">${esc(i.verdict)}</span>`,
      esc(i.staleReads),
      esc(i.lostWrites),
      esc(i.corruptSectors),
      esc(i.unexpectedData),
      esc(checkText(r)),
      esc(qemuText(r)),
    ];
    return `<tr class="${i.verdict}">${cells.map((c, k) => `<td${k >= 6 && k <= 9 ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`;
  });
  const head = ['workload', 'from', 'timing', 'cache size', 'policy', 'verdict', 'stale reads', 'lost writes', 'corrupt sectors', 'unexpected data', 'check', 'qemu-img check'];
  const summary = `<p class="verdicts">${runs.length} run${runs.length === 1 ? '' : 's'}: <span class="verdict passed">${count.passed} passed</span> <span class="verdict failed">${count.failed} failed</span> <span class="verdict skipped">${count.skipped} skipped</span></p>`;
  return `${summary}<table class="data integrity"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>
<p class="note">Stale reads, lost writes, corrupt sectors and unexpected data are counted in 512-byte sectors by the shadow model; <em>check</em> is our structural check, <em>qemu-img check</em> QEMU's (not run for in-memory replays). Leaks alone do not fail a run.</p>`;
}

/** "0 corruptions, 0 leaks", or "not run". */
export function checkText(r: ReportRun): string {
  const c = r.results.integrity.check;
  if (!c) return 'not run';
  return `${c.corruptions} corruptions, ${c.leaks} leaks${c.checkErrors ? `, ${c.checkErrors} errors` : ''}`;
}

export function qemuText(r: ReportRun): string {
  const q = r.results.integrity.qemuCheck;
  if (!q) return 'not run';
  if (q.error) return `could not check: ${q.error}`;
  return `exit ${q.exitCode}, ${q.corruptions} corruptions, ${q.leaks} leaks`;
}
