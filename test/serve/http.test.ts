// The HTTP front end of `qed-bench serve`: /metrics, /status, /disk ranges and the live page (headless Chromium).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createImageFile } from '../../src/qed/open-file.js';
import { parseContentRange, parseRange } from '../../src/serve/http/range.js';
import { findOnPath } from '../helpers/qemu.js';
import { tempDirs } from '../helpers/tmp.js';
import { startServe } from './session.js';

const tmp = tempDirs('qed-bench-serve-http-');

async function served(opts: { readOnly?: boolean } = {}) {
  const dir = await tmp();
  const image = join(dir, 'disk.qed');
  await createImageFile(image, { size: 8 * 1024 * 1024 });
  return startServe(image, { http: true, resultsFile: join(dir, 'r.json'), readOnly: opts.readOnly });
}

describe('Range and Content-Range parsing', () => {
  it('a-b, a- and -n ranges land inside the disk or are unsatisfiable, never outside', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1 << 30 }), fc.nat(2 ** 31), fc.nat(2 ** 31), (size, a, len) => {
        const r = parseRange(`bytes=${a}-${a + len}`, size);
        if (a >= size) return r.kind === 'unsatisfiable';
        return r.kind === 'range' && r.start === a && r.end === Math.min(a + len, size - 1);
      }),
    );
    expect(parseRange('bytes=-100', 1000)).toEqual({ kind: 'range', start: 900, end: 999 });
    expect(parseRange('bytes=-5000', 1000)).toEqual({ kind: 'range', start: 0, end: 999 });
    expect(parseRange('bytes=10-', 1000)).toEqual({ kind: 'range', start: 10, end: 999 });
    for (const bad of ['bytes=5-2', 'bytes=a-b', 'bytes=-', 'items=0-1', 'bytes=0-1,4-5', 'bytes=1-2-3']) expect(parseRange(bad, 1000).kind).toBe('malformed');
    expect(parseContentRange('bytes 0-511/*', 8388608)).toEqual({ start: 0, end: 511 });
    expect(parseContentRange('bytes 0-511/8388608', 8388608)).toEqual({ start: 0, end: 511 });
    expect('reason' in parseContentRange('bytes 9-1/*', 8388608)).toBe(true);
    expect('reason' in parseContentRange('0-1', 8388608)).toBe(true);
    // A huge end is not "ends before it starts": the reason names what is wrong.
    expect(parseContentRange('bytes 0-99999999999999999999/*', 8388608)).toEqual({ reason: '"bytes 0-99999999999999999999/*" has a position past 2^53 bytes' });
    // A total that is not the disk's size: the client writes to a disk it has wrong.
    expect(parseContentRange('bytes 0-511/5', 8388608)).toEqual({ reason: `"bytes 0-511/5" gives the disk's size as 5 bytes, but it is 8388608; use the size or *` });
  });
});

describe('serve --http', () => {
  it('GET /disk ranges (206, 416, 400), PUT with Content-Range (204, 413, 400), /status and /metrics count them', async () => {
    const s = await served();
    const url = `${s.httpUrl}/disk`;
    const body = Buffer.alloc(4096, 0x7e);
    let r = await fetch(url, { method: 'PUT', headers: { 'content-range': 'bytes 65536-69631/*' }, body });
    expect(r.status).toBe(204);
    r = await fetch(url, { headers: { range: 'bytes=65530-65541' } });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe(`bytes 65530-65541/${8 * 1024 * 1024}`);
    expect(Buffer.from(await r.arrayBuffer())).toEqual(Buffer.from([0, 0, 0, 0, 0, 0, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e, 0x7e]));
    r = await fetch(url, { headers: { range: `bytes=${8 * 1024 * 1024}-` } });
    expect(r.status).toBe(416);
    expect(r.headers.get('content-range')).toBe(`bytes */${8 * 1024 * 1024}`);
    r = await fetch(url, { headers: { range: 'bytes=9-3' } });
    expect(r.status).toBe(400);
    expect(await r.text()).toMatch(/ends before it starts/);
    r = await fetch(url, { method: 'PUT', headers: { 'content-range': 'bytes 0-2097151/*' }, body: Buffer.alloc(2 * 1024 * 1024) });
    expect(r.status).toBe(413); // the test's --put-limit is 1 MiB
    r = await fetch(url, { method: 'PUT', body });
    expect(r.status).toBe(400);
    r = await fetch(url, { method: 'PUT', headers: { 'content-range': `bytes ${8 * 1024 * 1024 - 10}-${8 * 1024 * 1024 + 4085}/*` }, body });
    expect(r.status).toBe(416);
    r = await fetch(url, { method: 'PUT', headers: { 'content-range': 'bytes 0-4095/4096' }, body });
    expect(r.status).toBe(400);
    expect(await r.text()).toMatch(/gives the disk's size as 4096 bytes/);
    r = await fetch(url, { method: 'DELETE' });
    expect(r.status).toBe(405);
    // CONNECT bypasses the request handler: it gets a 405 too, not a dropped connection.
    const port = Number(new URL(url).port);
    const answer = await new Promise<string>((resolve, reject) => {
      const c = connect(port, '127.0.0.1', () => c.end('CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n'));
      let got = '';
      c.on('data', (d) => (got += d));
      c.on('end', () => resolve(got));
      c.on('error', reject);
    });
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 405 Method Not Allowed');
    expect((await fetch(`${s.httpUrl}/nope`)).status).toBe(404);

    const status = (await (await fetch(`${s.httpUrl}/status`)).json()) as Record<string, any>;
    expect(status.config).toMatchObject({ readOnly: false, size: 8 * 1024 * 1024, cache: { size: 50, policy: 'fifo' } });
    expect(status.uptimeSeconds).toBeGreaterThan(0);
    expect(status.clients.ops.write).toMatchObject({ requests: 1, bytes: 4096 });
    expect(status.clients.ops.read.requests).toBe(1);
    expect(status.cache.lookups).toBeGreaterThan(0);

    const text = await (await fetch(`${s.httpUrl}/metrics`)).text();
    for (const name of [
      'cache_hits_total', 'cache_misses_total', 'cache_loads_total', 'cache_evictions_total', 'cache_in_use_skips_total', 'cache_entries',
      'cache_capacity', 'cache_peak_over_capacity', 'metadata_reads_total', 'metadata_writes_total', 'requests_total', 'request_bytes_total',
      'request_duration_seconds', 'connections', 'protocol_errors_total',
    ]) {
      expect(text, name).toMatch(new RegExp(`^# HELP qed_bench_${name} \\S`, 'm'));
    }
    expect(text).toMatch(/^qed_bench_requests_total\{protocol="http",op="write"\} 1$/m);
    expect(text).toMatch(/^qed_bench_request_bytes_total\{protocol="http",op="read"\} 12$/m);
    expect(text).toMatch(/^qed_bench_metadata_writes_total\{kind="l2Table"\} 1$/m);
    expect(text).toMatch(/^qed_bench_connections\{protocol="http"\} [1-9]/m);
    expect(await s.stop()).toBe(0);
  });

  it('--read-only refuses PUT with 403 and still serves GET', async () => {
    const s = await served({ readOnly: true });
    const r = await fetch(`${s.httpUrl}/disk`, { method: 'PUT', headers: { 'content-range': 'bytes 0-3/*' }, body: Buffer.from('abcd') });
    expect(r.status).toBe(403);
    expect((await fetch(`${s.httpUrl}/disk`, { headers: { range: 'bytes=0-3' } })).status).toBe(206);
    expect(await s.stop()).toBe(0);
  });
});

const browser = ['chromium', 'chromium-browser', 'google-chrome'].find((b) => findOnPath(b) !== null) ?? null;
if (!browser) console.warn('serve live page test skipped: chromium is not installed (Debian: apt-get install chromium)');

describe.runIf(browser)('the live page in headless Chromium', () => {
  it('updates from /status every second with no external loads', async () => {
    const s = await served();
    await fetch(`${s.httpUrl}/disk`, { method: 'PUT', headers: { 'content-range': 'bytes 0-4095/*' }, body: Buffer.alloc(4096, 1) });
    const page = await (await fetch(`${s.httpUrl}/`)).text();
    expect(page).not.toMatch(/(src|href)=["']?(https?:)?\/\//); // nothing loaded from elsewhere
    const profile = await mkdtemp(join(tmpdir(), 'qed-bench-chromium-'));
    try {
      const run = promisify(execFile);
      const args = ['--headless', '--no-sandbox', '--disable-gpu', `--user-data-dir=${profile}`, '--virtual-time-budget=3500'];
      const { stdout } = await run(browser!, [...args, '--dump-dom', `${s.httpUrl}/`], { timeout: 120_000, maxBuffer: 16 << 20 });
      const ticks = Number(/data-ticks="(\d+)"/.exec(stdout)?.[1] ?? 0);
      expect(ticks).toBeGreaterThanOrEqual(2);
      expect(stdout).toMatch(/id="entries">\d+ \/ 50</);
      expect(stdout).toMatch(/id="hit-rate">(idle|\d+\.\d %)</);
      expect(stdout).toMatch(/id="md-reads">\d+</);
      expect(stdout).toMatch(/id="err"><\/span>/);
      const png = join(profile, 'live.png');
      await run(browser!, [...args, `--screenshot=${png}`, '--window-size=1100,700', `${s.httpUrl}/`], { timeout: 120_000 });
      expect((await stat(png)).size).toBeGreaterThan(5000);
    } finally {
      await rm(profile, { recursive: true, force: true });
      await s.stop();
    }
  }, 120_000);
});
