/**
 * The Markdown summary (`report --format md`): per workload a cache sizes × policies table,
 * then latency percentiles and integrity verdicts of every run. Fits a PR comment or
 * $GITHUB_STEP_SUMMARY.
 */
import { OPS } from '../metrics/phase.js';
import type { ReportRun } from './report-inputs.js';
import { fixed, micros, pct } from './report-format.js';
import { cell, groupByWorkload } from './report-model.js';
import { checkText, qemuText } from './html/integrity.js';

export function renderMarkdown(runs: ReportRun[]): string {
  const out: string[] = ['# qed-bench report', ''];
  for (const g of groupByWorkload(runs)) {
    out.push(`## ${md(g.name)}: hit rate / metadata reads per 1000 requests / peak over capacity`, '');
    const rows = g.sizes.map((size) => [
      String(size),
      ...g.policies.map((p) => {
        const r = cell(g, size, p);
        const t = r?.results.total;
        return t ? `${pct(t.hitRate)} / ${fixed(t.metadataReadsPer1000, 1)} / ${t.peakOverCapacity}` : '';
      }),
    ]);
    out.push(...table(['cache size', ...g.policies.map(md)], rows, 1), '');
  }

  out.push('## Latency (µs)', '');
  const lat: string[][] = [];
  for (const r of runs) {
    for (const op of OPS) {
      const m = r.results.total.ops[op];
      if (!m || m.ops === 0) continue;
      const l = m.latency;
      lat.push([md(r.workload), String(r.size), md(r.policy), op, String(m.ops), micros(l.p50), micros(l.p90), micros(l.p99), micros(l.p999)]);
    }
  }
  out.push(...table(['workload', 'cache size', 'policy', 'op', 'ops', 'p50', 'p90', 'p99', 'p99.9'], lat, 4), '');

  out.push('## Integrity', '');
  const integ = runs.map((r) => {
    const i = r.results.integrity;
    return [md(r.workload), String(r.size), md(r.policy), i.verdict === 'failed' ? '**failed**' : i.verdict, String(i.staleReads), String(i.lostWrites), String(i.corruptSectors), md(checkText(r)), md(qemuText(r))];
  });
  out.push(...table(['workload', 'cache size', 'policy', 'verdict', 'stale reads', 'lost writes', 'corrupt sectors', 'check', 'qemu-img check'], integ, 4, 7), '');
  return out.join('\n');
}

/** A GitHub-flavoured table; columns [from, to) hold numbers and are right-aligned. */
function table(head: string[], rows: string[][], from: number, to = head.length): string[] {
  const align = head.map((_, i) => (i >= from && i < to ? '---:' : '---'));
  return [head, align, ...rows].map((r) => `| ${r.join(' | ')} |`);
}

/** Input text in Markdown: punctuation that could start markup or end a cell is escaped. */
export function md(s: string): string {
  return s.replace(/[\\`*_[\]<>|&#]/g, '\\$&').replace(/\r?\n/g, ' ');
}
