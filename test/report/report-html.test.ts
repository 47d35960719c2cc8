/**
 * `qed-bench report` on a small sweep replayed by the real engine: the HTML has a chart per
 * section, a series per policy with a point per cache size, no external references, escaped
 * input; and headless Chromium (when installed) renders it without errors.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepResults } from '../../src/metrics/sweep-results.js';
import { OPS } from '../../src/metrics/phase.js';
import { onPath } from '../../src/replay/qemu-check.js';
import { cliOk } from '../cli/helpers.js';
import { tinySweep, tinyWorkloadYaml } from './fixtures.js';

const SIZES = [2, 4, 16];
const POLICIES = ['fifo', 'lru', 'sieve'];
const EVIL = '<b>&"';

let dir = '';
let sweep: SweepResults;
let sweepFile = '';
let html = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qed-bench-report-'));
  sweep = await tinySweep(SIZES, POLICIES);
  sweepFile = join(dir, 'tiny-sweep.json');
  await writeFile(sweepFile, JSON.stringify(sweep));
  const r = await cliOk(0, 'report', sweepFile, '-o', join(dir, 'report.html'));
  expect(r.stdout).toContain('report.html (9 runs)');
  html = await readFile(join(dir, 'report.html'), 'utf8');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The markup of one <section id=...>. */
function sectionOf(page: string, id: string): string {
  const m = new RegExp(`<section id="${id}"[^>]*>([\\s\\S]*?)</section>`).exec(page);
  if (!m) throw new Error(`no section ${id}`);
  return m[1];
}

/** The markup of each <g class="series"> in a piece of HTML, with its name and declared point count. */
function seriesOf(part: string): Array<{ name: string; points: number; markers: number; lineVertices: number; body: string }> {
  return [...part.matchAll(/<g class="series" data-series="([^"]*)" data-points="(\d+)">([\s\S]*?)\n<\/g>/g)].map((m) => ({
    name: m[1],
    points: Number(m[2]),
    markers: (m[3].match(/class="point/g) ?? []).length,
    lineVertices: (/<path class="line" d="([^"]*)"/.exec(m[3])?.[1].match(/[ML]/g) ?? []).length,
    body: m[3],
  }));
}

const count = (s: string, re: RegExp): number => (s.match(re) ?? []).length;

describe('report HTML from a replayed sweep', () => {
  it('the sweep is real: policies differ somewhere and small caches grew past capacity', () => {
    const hit = (size: number, p: string) => sweep.runs.find((r) => r.size === size && r.policy === p)!.results.total.hitRate;
    expect(new Set(POLICIES.map((p) => hit(16, p))).size).toBeGreaterThan(1);
    expect(Math.max(...sweep.runs.map((r) => r.results.total.peakOverCapacity))).toBeGreaterThan(0);
    expect(sweep.runs.every((r) => r.results.mrc !== null)).toBe(true);
  });

  it('has the seven sections, each with its chart (integrity: a table row per run)', () => {
    for (const [id, chart] of [
      ['sec-hit-rate', 'hit-rate'],
      ['sec-metadata-reads', 'metadata-reads'],
      ['sec-peak-over-capacity', 'peak-over-capacity'],
      ['sec-entries-over-time', 'entries-over-time'],
      ['sec-mrc', 'mrc'],
    ]) {
      expect(count(sectionOf(html, id), new RegExp(`<svg class="chart" data-chart="${chart}"`, 'g')), id).toBe(1);
    }
    const ops = OPS.filter((op) => sweep.runs.some((r) => r.results.total.ops[op].ops > 0));
    expect(ops).toContain('read');
    expect(count(sectionOf(html, 'sec-latency'), /<svg class="chart" data-chart="latency-/g)).toBe(ops.length);
    expect(count(sectionOf(html, 'sec-integrity'), /<tr class="(passed|failed|skipped)">/g)).toBe(SIZES.length * POLICIES.length);
  });

  it('draws one line per policy with a point per cache size, where the data says', () => {
    for (const id of ['sec-hit-rate', 'sec-metadata-reads', 'sec-peak-over-capacity']) {
      const series = seriesOf(sectionOf(html, id));
      expect(series.map((s) => s.name), id).toEqual(POLICIES);
      for (const s of series) {
        expect([s.points, s.markers, s.lineVertices], `${id} ${s.name}`).toEqual([SIZES.length, SIZES.length, SIZES.length]);
      }
    }
    // Tooltips carry the values: lru's hit rate at size 16, as a percentage.
    const lru16 = sweep.runs.find((r) => r.size === 16 && r.policy === 'lru')!.results.total.hitRate;
    expect(sectionOf(html, 'sec-hit-rate')).toContain(`<title>lru, 16 tables: ${(lru16 * 100).toFixed(1)}% hit rate</title>`);
  });

  it('overlays each policy measured point on the LRU curve', () => {
    const series = seriesOf(sectionOf(html, 'sec-mrc'));
    expect(series.map((s) => s.name)).toEqual(['LRU curve (exact)', ...POLICIES]);
    const curve = sweep.runs.find((r) => r.policy === 'lru' && r.size === 16)!.results.mrc!;
    expect(series[0].lineVertices).toBe(curve.sizes.length);
    for (const s of series.slice(1)) {
      expect(s.markers).toBe(SIZES.length);
      expect(s.body).not.toContain('class="line"');
    }
  });

  it('shows the run with the largest peak over capacity over time, capacity dashed; --run picks another', async () => {
    const top = sweep.runs.reduce((a, b) => (b.results.total.peakOverCapacity > a.results.total.peakOverCapacity ? b : a));
    const part = sectionOf(html, 'sec-entries-over-time');
    expect(part).toContain(`Cache entries over time: tiny · ${top.size} tables · ${top.policy}`);
    expect(part).toMatch(new RegExp(`stroke-dasharray="7 4"[^>]*/><text[^>]*>capacity ${top.size}</text>`));
    const samples = top.results.phases.reduce((n, p) => n + p.timeSeries.length, 0);
    expect(seriesOf(part)[0].points).toBe(samples);

    const out = join(dir, 'lru16.html');
    await cliOk(0, 'report', sweepFile, '-o', out, '--run', 'lru/16');
    expect(sectionOf(await readFile(out, 'utf8'), 'sec-entries-over-time')).toContain('Cache entries over time: tiny · 16 tables · lru');
  });

  it('is self-contained: no external references', () => {
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/\ssrc=/);
    expect(html).not.toMatch(/\shref=/);
    expect(html).not.toMatch(/url\(|@import/);
    expect(count(html, /<script>/g)).toBe(1);
    expect(html).toContain('<body data-errors="">');
  });

  it('escapes every string from the input (a workload named <b>&")', async () => {
    const evil = await tinySweep([4], ['lru'], EVIL);
    const file = join(dir, 'evil.json');
    await writeFile(file, JSON.stringify(evil.runs[0].results));
    const out = join(dir, 'evil.html');
    await cliOk(0, 'report', file, '-o', out);
    const page = await readFile(out, 'utf8');
    expect(page).not.toContain(EVIL);
    expect(page).toContain('&lt;b&gt;&amp;&quot;');
    expect(count(page, /<svg class="chart"/g)).toBeGreaterThanOrEqual(6);
  });
});

const run = promisify(execFile);
const browser = await (async () => {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) if (await onPath(name)) return name;
  return null;
})();
if (!browser) console.warn('report browser test skipped: chromium is not installed (Debian: apt-get install chromium)');

describe.runIf(browser)('report HTML in headless Chromium', () => {
  /** Runs the browser on a file with a throwaway profile; resolves to stdout. */
  async function chromium(args: string[], file: string): Promise<string> {
    const profile = await mkdtemp(join(tmpdir(), 'qed-bench-chromium-'));
    try {
      const { stdout } = await run(browser!, ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--user-data-dir=${profile}`, ...args, `file://${file}`], { timeout: 120_000, maxBuffer: 64 << 20 });
      return stdout;
    } finally {
      await rm(profile, { recursive: true, force: true });
    }
  }

  it('renders every chart and series with no script or console errors', async () => {
    const dom = await chromium(['--dump-dom'], join(dir, 'report.html'));
    expect(dom).toMatch(/<body data-errors="">/);
    expect(count(dom, /<svg class="chart"/g)).toBe(count(html, /<svg class="chart"/g));
    expect(count(dom, /<svg class="chart"/g)).toBeGreaterThanOrEqual(6);
    expect(count(dom, /<g class="series"/g)).toBe(count(html, /<g class="series"/g));
    const hit = seriesOf(sectionOf(dom, 'sec-hit-rate'));
    expect(hit.map((s) => [s.name, s.markers])).toEqual(POLICIES.map((p) => [p, SIZES.length]));
  });

  it('the error marker catches a failing script (the check above can fail)', async () => {
    const broken = join(dir, 'broken.html');
    await writeFile(broken, html.replace('</main>', '</main><script>notDefinedAnywhere();</script>'));
    const dom = await chromium(['--dump-dom'], broken);
    expect(dom).toMatch(/<body data-errors="[^"]*notDefinedAnywhere/);
  });

  it('takes a 1280×2400 screenshot', async () => {
    const png = join(dir, 'report.png');
    await chromium([`--screenshot=${png}`, '--window-size=1280,2400'], join(dir, 'report.html'));
    const bytes = await readFile(png);
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([1280, 2400]);
    expect((await stat(png)).size).toBeGreaterThan(50_000);
  });
});

describe('latency charts of one run per policy', () => {
  it('label each policy group in full (a one-run group cut "fifo" to "fi…")', async () => {
    const two = await tinySweep([4], ['fifo', 'lru']);
    const file = join(dir, 'two.json');
    await writeFile(file, JSON.stringify(two));
    const out = join(dir, 'two.html');
    await cliOk(0, 'report', file, '-o', out);
    const page = await readFile(out, 'utf8');
    const labels = [...sectionOf(page, 'sec-latency').matchAll(/class="group-label">([^<]*)</g)].map((m) => m[1]);
    expect(labels.length).toBeGreaterThanOrEqual(2);
    expect(new Set(labels)).toEqual(new Set(['fifo', 'lru']));
  });
});

describe('a report of run results (no miss-ratio curve)', () => {
  it('says which command records the curve instead of asking to "enable" it', async () => {
    const yaml = join(dir, 'tiny.yaml');
    await writeFile(yaml, tinyWorkloadYaml());
    const results = join(dir, 'run.json');
    await cliOk(0, 'run', yaml, '-q', '--no-qemu-check', '-o', results);
    expect(JSON.parse(await readFile(results, 'utf8')).mrc).toBeNull();
    const out = join(dir, 'run.html');
    await cliOk(0, 'report', results, '-o', out);
    const page = await readFile(out, 'utf8');
    expect(page).toContain('<code>run</code> does not record one): every cell of a <code>qed-bench sweep</code> does');
    expect(page).not.toContain('curve enabled');
  });
});
