/** The plain-text table of every terminal summary, CLI command and benchmark script. */

export interface TableOptions {
  /** The first column holds names, left-aligned (default); 'right' aligns it as the others. */
  firstColumn?: 'left' | 'right';
  /** A line of dashes under the header (default true). */
  rule?: boolean;
}

/** Columns as wide as their widest cell, two spaces apart; numbers (every column but the first) right-aligned. */
export function table(head: string[], rows: string[][], opts: TableOptions = {}): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const left = (opts.firstColumn ?? 'left') === 'left';
  const fmt = (r: string[]): string => r.map((c, i) => (i === 0 && left ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const rule = opts.rule ?? true ? [widths.map((n) => '-'.repeat(n)).join('  ')] : [];
  return [fmt(head), ...rule, ...rows.map(fmt)];
}
