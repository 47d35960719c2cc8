/**
 * Image settings that contradict each other or name nothing known (metadata-only with an image
 * file's options, unknown store / io / cache), and results files compare cannot read: exit 2,
 * one message naming the option, the YAML line:column or the file and its position, no stack,
 * no results file.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createImageFile } from '../../src/qed/open-file.js';
import { cli, cliOk, expectRefused, STACK_LINE, useTempDir } from './helpers.js';

const tmp = useTempDir();
const workload = (image = '') =>
  `name: m\nimage: { size: 16M, cluster_size: 4k, table_size: 1${image} }\ncache: { size: 3 }\nphases:\n  - name: p\n    jobs:\n      - { name: w, pattern: random, op: write, bs: 4k, iodepth: 2, stop: { ops: 20 } }\n`;

interface Case {
  name: string;
  yaml?: string;
  /** Arguments; W is the workload file, D/ the temp dir. */
  args: string[];
  says: string[];
}

const run = (...more: string[]) => ['run', 'W', '-q', '--no-qemu-check', '-o', 'D/r.json', ...more];

const CASES: Case[] = [
  { name: '--metadata-only with --qemu-check', args: ['run', 'W', '-q', '--qemu-check', '--metadata-only', '-o', 'D/r.json'], says: ['--metadata-only contradicts --qemu-check'] },
  { name: '--metadata-only with --keep-image', args: run('--metadata-only', '--keep-image'), says: ['--metadata-only contradicts --keep-image'] },
  { name: '--metadata-only with --repair', args: run('--metadata-only', '--repair'), says: ['--metadata-only contradicts --repair'] },
  { name: '--metadata-only with image.cache: none', yaml: workload(', cache: none'), args: run('--metadata-only'), says: ['--metadata-only contradicts image.cache: none'] },
  { name: '--metadata-only with image.path', yaml: 'name: m\nimage: { path: img.qed }\ncache: { size: 3 }\nphases:\n  - name: p\n    jobs:\n      - { name: w, pattern: random, op: write, bs: 4k, iodepth: 2, stop: { ops: 20 } }\n', args: run('--metadata-only'), says: ['--metadata-only contradicts image.path', 'img.qed'] },
  { name: 'store: metadata with keep: true', yaml: workload(', store: metadata, keep: true'), args: run(), says: ['w.yaml:2:', 'image.keep: expected no keep: true with store: metadata'] },
  { name: 'store: metadata with cache: none', yaml: workload(', store: metadata, cache: none'), args: run(), says: ['w.yaml:2:', 'image.cache: expected no cache: none with store: metadata'] },
  { name: 'store: metadata with io: sync', yaml: workload(', store: metadata, io: sync'), args: run(), says: ['w.yaml:2:', 'image.io: expected no io: sync with store: metadata'] },
  { name: 'store: metadata with --qemu-check', yaml: workload(', store: metadata'), args: ['run', 'W', '-q', '--qemu-check', '-o', 'D/r.json'], says: ['image.store: metadata contradicts --qemu-check'] },
  { name: 'store: unknown', yaml: workload(', store: cloud'), args: run(), says: ['w.yaml:2:', 'image.store: expected one of full, metadata, found "cloud"'] },
  { name: 'image.io unknown', yaml: workload(', io: turbo'), args: run(), says: ['w.yaml:2:', 'image.io: expected one of', 'found "turbo"'] },
  { name: 'image.cache unknown', yaml: workload(', cache: direct'), args: run(), says: ['w.yaml:2:', 'image.cache: expected one of writeback, none, found "direct"'] },
  { name: 'image.size impossible', yaml: workload().replace('size: 16M', 'size: 1E'), args: run(), says: ['w.yaml:2:', 'image.size: expected a size below 8 PiB'] },
  { name: 'io --io unknown', args: ['io', 'D/img.qed', '--io', 'turbo', '-c', 'read 0 4k'], says: ["option '--io <path>' argument 'turbo' is invalid"] },
  { name: 'io --cache unknown', args: ['io', 'D/img.qed', '--cache', 'weird', '-c', 'read 0 4k'], says: ["option '--cache <mode>' argument 'weird' is invalid"] },
];

describe('contradicting or unknown image settings are refused cleanly', () => {
  it.each(CASES)('$name', async (c) => {
    const w = tmp.path('w.yaml');
    await writeFile(w, c.yaml ?? workload());
    await createImageFile(tmp.path('img.qed'), { size: 16 << 20 });
    const before = await readdir(tmp.path(''));
    const r = await cli(...c.args.map((a) => (a === 'W' ? w : a.replace(/^D\//, tmp.path('')))));
    expectRefused(r, c.says);
    expect(await readdir(tmp.path(''))).toEqual(before);
  });
});

describe('compare of results files it cannot read', () => {
  it('names the file and where the JSON stops: truncated, not JSON, empty, not results', async () => {
    const w = tmp.path('w.yaml');
    await writeFile(w, workload());
    const good = tmp.path('good.json');
    await cliOk(0, 'run', w, '-q', '--no-qemu-check', '-o', good);
    const text = await readFile(good, 'utf8');
    const cases: Array<[string, string, string]> = [
      ['cut.json', text.slice(0, 300), 'cut.json:'],
      ['hello.json', 'hello\n', 'hello.json:1:1: not valid JSON'],
      ['empty.json', '', 'empty.json:1:1: not valid JSON'],
      ['other.json', '{"a":1}\n', 'other.json: not a qed-bench results file (no "schema" field'],
      // A negative figure cannot come from a run: it was read as a regression or an improvement.
      ['negative.json', text.replace(/"metadataReadsPer1000": [\d.]+/, '"metadataReadsPer1000": -5'), 'negative.json: phases[0].metadataReadsPer1000: expected a number ≥ 0 or null, found -5'],
    ];
    for (const [name, body, says] of cases) {
      const f = tmp.path(name);
      await writeFile(f, body);
      for (const argv of [['compare', good, f], ['compare', f, good]]) {
        const r = await cli(...argv);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(says);
        expect(r.stderr).not.toContain(STACK_LINE);
        expect(r.stdout).toBe('');
      }
    }
    const cut = await cli('compare', good, tmp.path('cut.json'));
    expect(cut.stderr).toMatch(/cut\.json:\d+:\d+: not valid JSON/);
  });
});
