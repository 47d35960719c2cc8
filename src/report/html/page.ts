/**
 * The HTML report: one self-contained file (inline CSS and SVG, no network, no fonts, no
 * build step) readable without JavaScript. The only script records errors into
 * <body data-errors> so a headless browser test can see them.
 */
import type { ReportRun } from '../report-inputs.js';
import { groupByWorkload, policyOrder, selectRun } from '../report-model.js';
import { esc } from '../svg/escape.js';
import { VERDICT_COLOURS } from '../svg/palette.js';
import { entriesChart } from './entries.js';
import { emptyNote, section } from './figure.js';
import { integrityTable } from './integrity.js';
import { latencyCharts, latencyTable } from './latency.js';
import { mrcChart } from './mrc.js';
import { SIZE_METRICS, sizeChart } from './size-charts.js';

export interface HtmlOptions {
  /** --run: which run's cache entries are drawn over time. */
  run?: string;
}

export function renderHtml(runs: ReportRun[], opts: HtmlOptions = {}): string {
  const groups = groupByWorkload(runs);
  const policies = policyOrder(runs);
  const colourOf = (p: string): number => policies.indexOf(p);
  const multi = groups.length > 1;
  const chosen = selectRun(runs, opts.run);

  const [hit, mdReads, peak] = SIZE_METRICS.map((m) => groups.map((g) => sizeChart(m, g, colourOf, multi)).join('\n'));
  const curves = groups.flatMap((g) => mrcChart(g, colourOf, multi) ?? []);
  const sections = [
    section('sec-hit-rate', 'Hit rate vs cache size', hit),
    section(
      'sec-mrc',
      'Miss-ratio curve (as hit ratio) vs measured policies',
      curves.length ? curves.join('\n') : emptyNote('None of these runs carries a miss-ratio curve (results field <code>mrc</code> is null; <code>run</code> does not record one): every cell of a <code>qed-bench sweep</code> does, so report a sweep file to compare every policy with LRU at every size (<code>qed-bench mrc</code> prints the curve alone).'),
    ),
    section('sec-metadata-reads', 'Metadata reads per 1000 requests vs cache size', mdReads),
    section('sec-peak-over-capacity', 'Peak over capacity vs cache size', peak),
    section('sec-entries-over-time', 'Cache entries over time', entriesChart(chosen.run, chosen.why, colourOf(chosen.run.policy)), true),
    section('sec-latency', 'Latency percentiles per run', `${groups.flatMap((g) => latencyCharts(g, multi)).join('\n')}\n${latencyTable(runs)}`, true),
    section('sec-integrity', 'Integrity verdicts', integrityTable(runs), true),
  ];
  return page(runs, groups.map((g) => g.name), sections.join('\n'));
}

function page(runs: ReportRun[], workloads: string[], body: string): string {
  const files = [...new Set(runs.map((r) => r.source.replace(/ runs\[\d+\]$/, '')))];
  const timings = [...new Set(runs.map((r) => r.results.timing))];
  const interrupted = runs.filter((r) => r.results.status === 'interrupted').length;
  const title = `qed-bench report: ${workloads.join(', ')}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${esc(title)}</title>
<style>${CSS}</style>
<script>${ERROR_RECORDER}</script>
</head>
<body data-errors="">
<header>
<h1>${esc(title)}</h1>
<p>${runs.length} run${runs.length === 1 ? '' : 's'} from ${files.length} file${files.length === 1 ? '' : 's'} (${esc(files.slice(0, 4).join(', '))}${files.length > 4 ? ', ...' : ''}); ${esc(timings.join(' and '))} timing${timings.includes('virtual') ? ' (deterministic scheduler: latencies are virtual)' : ''}. Hover a point for its values.${interrupted ? ` <b>${interrupted} run${interrupted === 1 ? ' was' : 's were'} interrupted: partial results.</b>` : ''}</p>
</header>
<main>
${body}
</main>
</body>
</html>
`;
}

/** Collects uncaught errors, failed resource loads, CSP violations and console.error calls. */
const ERROR_RECORDER = `(function () {
  var errors = [];
  function record(message) {
    errors.push(String(message));
    if (document.body) document.body.setAttribute('data-errors', errors.join(' | '));
  }
  window.addEventListener('error', function (e) {
    record(e.message || ('failed to load ' + ((e.target && (e.target.src || e.target.href)) || 'a resource')));
  }, true);
  window.addEventListener('unhandledrejection', function (e) { record('unhandled rejection: ' + e.reason); });
  document.addEventListener('securitypolicyviolation', function (e) { record('blocked ' + e.blockedURI); });
  var consoleError = console.error;
  console.error = function () {
    record(Array.prototype.join.call(arguments, ' '));
    return consoleError.apply(console, arguments);
  };
  document.addEventListener('DOMContentLoaded', function () {
    if (errors.length) document.body.setAttribute('data-errors', errors.join(' | '));
  });
})();`;

const CSS = `
:root { color-scheme: light; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", "Liberation Sans", sans-serif; color: #1a1a1a; background: #fafafa; }
header { padding: 16px 24px 4px; }
h1 { font-size: 20px; margin: 0 0 4px; }
header p { margin: 0; color: #444; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 16px; padding: 16px 24px 32px; }
section { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 12px 16px; min-width: 0; }
section.wide { grid-column: 1 / -1; }
h2 { font-size: 16px; margin: 0 0 8px; }
figure { margin: 0 0 12px; }
figcaption { font-size: 12.5px; color: #444; margin-top: 2px; }
svg.chart { width: 100%; height: auto; display: block; font-size: 11px; }
svg.chart text { fill: #222; }
svg.chart .tick { fill: #444; }
svg.chart .axis-title { font-size: 12px; font-weight: 600; }
svg.chart .grid { stroke: #e6e6e6; stroke-width: 1; }
svg.chart .axis { stroke: #555; stroke-width: 1; }
svg.chart .ref-label { font-size: 10.5px; fill: #333; }
svg.chart .group-label { font-size: 11px; font-weight: 600; }
svg.chart .point:hover { stroke: #000; stroke-width: 1.5; }
svg.chart .point.hover { fill-opacity: 0; }
svg.chart .point.hover:hover { fill-opacity: 1; }
p.empty { color: #555; font-style: italic; }
table.data { border-collapse: collapse; font-size: 12.5px; width: 100%; margin-top: 6px; }
table.data th, table.data td { border-bottom: 1px solid #e4e4e4; padding: 3px 8px; text-align: left; }
table.data th { background: #f3f3f3; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.verdict { display: inline-block; padding: 0 7px; border-radius: 9px; color: #fff; font-weight: 600; font-size: 12px; }
.verdict.passed { background: ${VERDICT_COLOURS.passed}; }
.verdict.failed { background: ${VERDICT_COLOURS.failed}; }
.verdict.skipped { background: ${VERDICT_COLOURS.skipped}; }
tr.failed td { background: #fdf0e8; }
p.note, p.verdicts { font-size: 12.5px; color: #444; }
details summary { cursor: pointer; margin-top: 8px; }
code { font-size: 12px; background: #f2f2f2; padding: 0 3px; border-radius: 3px; }
`;
