// `qed-bench serve` refuses bad input with one paragraph and exit 2, before binding anything.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli.js';
import { createImageFile } from '../../src/qed/open-file.js';
import { parseListen } from '../../src/serve/listen.js';
import { tempDirs } from '../helpers/tmp.js';

const tmp = tempDirs('qed-bench-serve-cli-');

async function serve(args: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const code = await run(['serve', ...args], { stdout: () => {}, stderr: (s) => err.push(s) });
  return { code, err: err.join('') };
}

describe('serve usage errors', () => {
  it('refuses non-loopback addresses without --allow-remote, bad ports, missing or non-QED images, nothing to serve', async () => {
    const dir = await tmp();
    const image = join(dir, 'disk.qed');
    await createImageFile(image, { size: 1 << 20 });
    const junk = join(dir, 'junk.bin');
    await writeFile(junk, 'not an image');
    const cases: Array<[string[], RegExp]> = [
      [[image, '--nbd', '0.0.0.0:0'], /not a loopback address.*--allow-remote/],
      [[image, '--nbd', '127.0.0.1:0', '--http', '10.1.2.3:0'], /--http 10\.1\.2\.3:0 is not a loopback address/],
      [[image, '--nbd', '127.0.0.1:70000'], /port must be 0\.\.65535/],
      [[image, '--nbd', 'example.org:1'], /"example\.org" is not an IP address/],
      [[join(dir, 'missing.qed'), '--nbd', '127.0.0.1:0'], /missing\.qed does not exist/],
      [[junk, '--nbd', '127.0.0.1:0'], /junk\.bin: .*QED/],
      [[image, '--no-nbd'], /nothing to serve/],
      // Past 2^31 − 1 ms Node's timers fire after 1 ms: every client was closed at once.
      [[image, '--nbd', '127.0.0.1:0', '--idle-timeout', '99999999999'], /--idle-timeout.*"99999999999" is more than 2147483647: the longest timer/],
      [[image, '--nbd', '127.0.0.1:0', '--handshake-timeout', '2147483648'], /--handshake-timeout.*is more than 2147483647/],
      [['workloads/seed-race-small.yaml', '--nbd', '127.0.0.1:0', '--set', 'cache.policy=fifo'], /deterministic.*scheduler\.mode=real/],
      [['workloads/seed-race-small.yaml', '--nbd', '127.0.0.1:0'], /expands to 2 matrix combinations; serve one, picked with --set \(--set cache\.policy=fifo-unsafe, or --set cache\.policy=fifo\)/],
    ];
    for (const [args, msg] of cases) {
      const r = await serve(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(msg);
      expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
    }
  });

  it('parses listen addresses', () => {
    expect(parseListen('127.0.0.1:10809', '--nbd')).toEqual({ host: '127.0.0.1', port: 10809 });
    expect(parseListen(':0', '--nbd')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListen('8080', '--http')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListen('[::1]:9', '--nbd')).toEqual({ host: '::1', port: 9 });
    expect(() => parseListen('127.0.0.1', '--nbd')).toThrow(/host:port/);
  });
});

describe('serve WORKLOAD.yaml', () => {
  it('serves the workload\'s image with its cache settings (and --set over them), jobs not run', async () => {
    const { startServe } = await import('./session.js');
    const dir = await tmp();
    const image = join(dir, 'disk.qed');
    await createImageFile(image, { size: 4 << 20 });
    const yaml = join(dir, 'w.yaml');
    await writeFile(yaml, `name: served\nimage: { path: ${JSON.stringify(image)} }\ncache: { size: 3, policy: lru }\nphases:\n  - name: p\n    jobs: [{ name: j, op: write, stop: { ops: 100000 } }]\n`);
    const s = await startServe(yaml, { resultsFile: join(dir, 'r.json'), set: ['cache.size=5'] });
    expect(s.session.img.cacheStats()).toMatchObject({ capacity: 5, policy: 'lru' });
    expect(s.session.imagePath).toBe(image);
    expect(s.session.img.stats.requests.write).toBe(0); // the workload's job did not run
    expect(await s.stop()).toBe(0);
  });
});

describe('serve IMAGE', () => {
  it('names the default results file serve-<image name>-<time>.json (not serve-serve-...)', async () => {
    const { startServe } = await import('./session.js');
    const { readdir, readFile } = await import('node:fs/promises');
    const dir = await tmp();
    const image = join(dir, 'disk.qed');
    await createImageFile(image, { size: 4 << 20 });
    const results = join(dir, 'results');
    const s = await startServe(image, { resultsFile: '', out: undefined, resultsDir: results });
    expect(await s.stop()).toBe(0);
    const files = await readdir(results);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^serve-disk-\d{8}T\d{6}Z\.json$/);
    expect(JSON.parse(await readFile(join(results, files[0]), 'utf8')).workload.name).toBe('disk');
  });
});

describe('docs/serve.md', () => {
  it('its `serve WORKLOAD.yaml` example starts (one matrix combination picked with --set)', async () => {
    const { startServe } = await import('./session.js');
    const { readFile } = await import('node:fs/promises');
    const doc = await readFile(new URL('../../docs/serve.md', import.meta.url), 'utf8');
    const line = doc.split('\n').find((l) => l.startsWith('qed-bench serve workloads/'))!;
    const args = line.replace(/#.*$/, '').trim().split(/\s+/).slice(2);
    const set = args.flatMap((a, i) => (args[i - 1] === '--set' ? [a] : []));
    const dir = await tmp();
    const s = await startServe(args[0], { resultsFile: join(dir, 'r.json'), set });
    expect(s.session.img.cacheStats().policy).toBe('fifo');
    expect(await s.stop()).toBe(0);
  });
});
