/**
 * Every class of hostile input, table-driven: the input (built in a temp dir), the command,
 * the exit code, a fragment the one-paragraph message must contain, and the files that must
 * not change (sha256 before and after). Also: no stack trace, no results file, no temp image.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { describe, expect, it, vi } from 'vitest';
import { cli, STACK_LINE, useTempDir } from '../cli/helpers.js';
import { HEADER, dir, imageWithData, inFirstL2, join, poke, pokedImage, readU64, scenario, setBackingName, workload, writeFile } from './fixtures.js';

const tmp = useTempDir();
const BASELINE = 'results/baseline/ci-mixed-parallel--cache.policy=fifo.json';

interface Case {
  name: string;
  /** Build the input in `d`; returns the command's arguments and the files that must not change. */
  setup(d: (f: string) => string): Promise<{ args: string[]; unchanged?: string[] }>;
  exit: number;
  /** Fragments of stderr, in any order. */
  says: string[];
  /** Extra stdout expectation (most refusals print nothing there). */
  stdout?: (s: string) => void;
}

async function yaml(path: string, text: string | Buffer): Promise<string> {
  await writeFile(path, text);
  return path;
}

/** `run` of a workload with an -o results file that must not appear. */
const run = (file: string, d: (f: string) => string, ...more: string[]) => ['run', file, '-o', d('results.json'), '-q', '--no-qemu-check', ...more];

const CASES: Case[] = [
  {
    name: 'unknown errno in a fault rule',
    setup: async (d) => ({ args: run(await yaml(d('w.yaml'), workload('errno', 'scheduler: { faults: [{ event: l2_update, errno: EFOO }] }\n')), d) }),
    exit: 2,
    says: ['scheduler.faults[0].errno: expected one of EIO, ENOSPC', 'found "EFOO"'],
  },
  {
    name: 'two YAML documents',
    setup: async (d) => ({ args: run(await yaml(d('w.yaml'), `${workload('a')}---\nname: b\n`), d) }),
    exit: 2,
    says: ['w.yaml:9:1: a second YAML document starts here'],
  },
  {
    name: 'an alias with no anchor, located (was "cannot expand the YAML" with no position)',
    setup: async (d) => ({ args: run(await yaml(d('w.yaml'), `${workload('al')}x-a: *nope\n`), d) }),
    exit: 2,
    says: ['w.yaml:9:6: alias *nope has no anchor &nope before it'],
  },
  {
    name: 'an alias bomb ("billion laughs") names the alias that passes the limit (was unlocated)',
    setup: async (d) => {
      const level = (n: string, of: string) => `x-${n}: &${n} [${Array(10).fill(`*${of}`).join(', ')}]\n`;
      const text = `${workload('lol')}x-a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n${level('b', 'a')}${level('c', 'b')}${level('d', 'c')}${level('e', 'd')}`;
      return { args: run(await yaml(d('w.yaml'), text), d) };
    },
    exit: 2,
    says: ['w.yaml:13:14: alias *d (use 2 of &d, anchored at 12:9, which holds 1000 aliased values) expands the document past 1000'],
  },
  {
    name: 'an alias bomb in a gate file is located, not an internal error',
    setup: async (d) => {
      const gate = await yaml(d('g.yaml'), `x: &a [1, 2]\ny: &b [${Array(10).fill('*a').join(', ')}]\nz: &c [${Array(10).fill('*b').join(', ')}]\nw: [${Array(11).fill('*c').join(', ')}]\n`);
      return { args: ['compare', 'results/baseline', 'results/baseline', '--gate', gate], unchanged: [gate] };
    },
    exit: 2,
    says: ['g.yaml:4:45: alias *c (use 11 of &c'],
  },
  {
    name: 'a duplicate key names the key and where it first was (50,000 keys took the parser 25 s comparing each with all before it)',
    setup: async (d) => ({ args: run(await yaml(d('w.yaml'), `${workload('dk')}x-big:\n${Array.from({ length: 50_000 }, (_, i) => `  k${i}: 1\n`).join('')}  k7: 2\n`), d) }),
    exit: 2,
    says: ['w.yaml:50010:3: YAML syntax error: Map keys must be unique: "k7" is already a key of this mapping (line 17)'],
  },
  {
    name: 'a gate file past 1 MiB is refused before it is parsed (60,000 metrics took 15 s, 600,000 minutes and 3 GB)',
    setup: async (d) => {
      const gate = await yaml(d('g.yaml'), `metrics:\n${Array.from({ length: 40_000 }, (_, i) => `  m${i}: { tolerance: 5% }\n`).join('')}`);
      return { args: ['compare', 'results/baseline', 'results/baseline', '--gate', gate], unchanged: [gate] };
    },
    exit: 2,
    says: ['g.yaml: the file is', 'more than the 1048576 a gate file may have'],
  },
  {
    name: 'a merge key whose source is a scalar, located',
    setup: async (d) => ({ args: run(await yaml(d('w.yaml'), `x-s: &s 5\n${workload('mg')}x-b: { <<: *s }\n`), d) }),
    exit: 2,
    says: ['w.yaml:10:12: a merge key (<<) takes a mapping'],
  },
  {
    name: 'an unknown tag is refused, not read as its bare value',
    setup: async (d) => ({ args: run(await yaml(d('w.yaml'), workload('tg').replace('seed: 1', 'seed: !foo 1')), d) }),
    exit: 2,
    says: ['w.yaml:2:7: unknown tag !foo'],
  },
  {
    name: 'a think time past the longest timer (it fired after 1 ms, with a Node warning)',
    setup: async (d) => ({ args: run(await yaml(d('w.yaml'), workload('tt').replace('stop: { ops: 20 }', 'stop: { ops: 20 }, think_time: 99999999999999999999h')), d) }),
    exit: 2,
    says: ['w.yaml:8:', 'think_time: expected a duration', 'at most 2^31 − 1 ms'],
  },
  {
    name: 'nesting deeper than the stack',
    setup: async (d) => ({ args: run(await yaml(d('w.yaml'), `name: x\nphases: ${'['.repeat(5000)}${']'.repeat(5000)}\n`), d) }),
    exit: 2,
    says: ['nested too deeply'],
  },
  {
    name: 'nesting deep but parseable',
    setup: async (d) => ({ args: run(await yaml(d('w.yaml'), `name: x\nx-deep: ${'['.repeat(200)}${']'.repeat(200)}\n${workload('x').split('\n').slice(1).join('\n')}`), d) }),
    exit: 2,
    says: ['nested too deeply (more than 64 levels)'],
  },
  {
    name: 'a UTF-16 file',
    setup: async (d) => ({ args: run(await yaml(d('w.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(workload('u'), 'utf16le')])), d) }),
    exit: 2,
    says: ['UTF-16', 'save it as UTF-8'],
  },
  {
    name: 'image size 0 (not blamed on bs)',
    setup: async (d) => ({ args: run(await yaml(d('w.yaml'), workload('z', '', 'image: { size: 0 }')), d) }),
    exit: 2,
    says: ['image.size: expected a virtual size of at least 512 bytes, found 0'],
  },
  {
    name: 'a seed past 2^64, shown as written and once',
    setup: async (d) => ({ args: run(await yaml(d('w.yaml'), workload('s').replace('seed: 1', 'seed: 99999999999999999999')), d) }),
    exit: 2,
    says: ['seed: expected a whole number from 0 to 2^53 − 1', '99999999999999999999'],
  },
  {
    name: "zod's own wording (a probability above 1)",
    setup: async (d) => ({ args: run(await yaml(d('w.yaml'), workload('p', 'scheduler: { faults: [{ event: l2_update, when: 1.5 }] }\n')), d) }),
    exit: 2,
    says: ['scheduler.faults[0].when: expected a number ≤ 1, found 1.5'],
  },
  {
    name: 'image.path is a directory',
    setup: async (d) => {
      await dir(d('img'));
      return { args: run(await yaml(d('w.yaml'), workload('d', '', 'image: { path: img }')), d) };
    },
    exit: 2,
    says: ['image.path', 'is a directory'],
  },
  {
    name: 'backing file is a directory',
    setup: async (d) => {
      await dir(d('base'));
      return { args: run(await yaml(d('w.yaml'), workload('b', '', 'image: { size: 16M, backing: { file: base, format: raw } }')), d) };
    },
    exit: 2,
    says: ['image.backing.file', 'is a directory'],
  },
  {
    name: 'backing declared qed that is not QED',
    setup: async (d) => {
      await writeFile(d('base.raw'), Buffer.alloc(65536, 7));
      return { args: run(await yaml(d('w.yaml'), workload('b', '', 'image: { size: 16M, backing: { file: base.raw, format: qed } }')), d), unchanged: [d('base.raw')] };
    },
    exit: 2,
    says: ['image.backing.file', 'format: qed was declared, but it is not a usable QED image', 'magic'],
  },
  {
    name: "more requests in flight over a phase's jobs than workers fit in memory",
    setup: async (d) => {
      const jobs = Array.from({ length: 65 }, (_, i) => `{ name: j${i}, op: read, bs: 4k, iodepth: 4096, stop: { ops: 1 } }`).join(', ');
      return { args: run(await yaml(d('w.yaml'), `name: deep\nimage: { size: 16M }\nphases:\n  - name: p\n    jobs: [${jobs}]\n`), d) };
    },
    exit: 2,
    says: ['w.yaml:5:11: phases[0].jobs: expected at most 262144 requests in flight', 'found 266240 over 65 jobs'],
  },
  {
    name: 'sweep --jobs past the worker-thread limit',
    setup: async (d) => ({ args: ['sweep', await yaml(d('w.yaml'), workload('jobs-huge')), '--jobs', '9999', '-o', d('results.json')] }),
    exit: 2,
    says: ["option '-j, --jobs <n>' argument '9999' is invalid", 'more than 64: the most worker threads allowed'],
  },
  {
    name: 'run --repeat past 2^53 (was run for ever) and past the repeat limit',
    setup: async (d) => ({ args: run(await yaml(d('w.yaml'), workload('repeat-huge')), d, '--repeat', '99999999999999999999') }),
    exit: 2,
    says: ['"99999999999999999999" is too large: at most 2^53 − 1'],
  },
  {
    name: "run TRACE --iodepth past the job limit names the option, not a line of the trace",
    setup: async (d) => {
      await writeFile(d('t.csv'), '3,R,0,4096,1\n3,W,4096,4096,2\n');
      return { args: run(d('t.csv'), d, '--format', 'alibaba', '--iodepth', '99999') };
    },
    exit: 2,
    says: ["option '--iodepth <n>' argument '99999' is invalid", 'more than 4096'],
  },
  {
    name: 'an empty -o (an unset shell variable) is refused, not read as "no -o" (results/ in the cwd)',
    setup: async (d) => ({ args: ['run', await yaml(d('w.yaml'), workload('empty-out')), '-q', '--no-qemu-check', '-o', ''] }),
    exit: 2,
    says: ["option '-o, --out <file>' argument '' is invalid. expected a path, found an empty string"],
  },
  {
    name: 'a workload file past 4 MiB is refused before the YAML parser spends seconds on it',
    setup: async (d) => ({ args: run(await yaml(d('w.yaml'), `${workload('big')}x-pad: "${'a'.repeat(5 << 20)}"\n`), d) }),
    exit: 2,
    says: ['w.yaml: the file is 5243', 'more than the 4194304 a workload file may have'],
  },
  {
    name: 'a matrix of 300 runs without --max-runs',
    setup: async (d) => ({
      args: run(await yaml(d('w.yaml'), `${workload('m')}matrix:\n  cache.size: [${Array.from({ length: 50 }, (_, i) => i + 1).join(', ')}]\n  seed: [1, 2, 3, 4, 5, 6]\n`), d),
    }),
    exit: 2,
    says: ['matrix: expands to 300 runs (50 cache.size × 6 seed)', '--max-runs 300'],
  },
  {
    name: 'a scenario waiting for a request held at a breakpoint never resumed',
    setup: async (d) => ({
      args: run(await yaml(d('w.yaml'), scenario('stuck-wait', ['break: { event: l2_update, tag: A }', 'request: { op: write, offset: 4k, length: 4k, as: w }', 'wait: w', 'resume: A'])), d),
    }),
    exit: 2,
    says: ['phases[0].scenario[2]', 'wait: w', 'write 4096 bytes at offset 4096', 'held at breakpoint A (l2_update)', 'can never finish'],
  },
  {
    name: 'a scenario waiting for a breakpoint whose event never comes',
    setup: async (d) => ({
      args: run(await yaml(d('w.yaml'), scenario('stuck-break', ['break: { event: cow_write, tag: A }', 'request: { op: read, offset: 4k, length: 4k, as: r }', 'wait_break: A', 'resume: A'])), d),
    }),
    exit: 2,
    says: ['phases[0].scenario[2]', 'wait_break: A', 'cow_write', 'can never finish'],
  },
  {
    name: 'a corrupt image.path (an L2 entry past EOF) is refused before anything is written',
    setup: async (d) => {
      const img = await imageWithData(d('c.qed'));
      const l2 = Number(await readU64(img, Number(await readU64(img, HEADER.l1TableOffset))));
      await poke(img, l2 + 8, 1 << 30);
      return { args: run(await yaml(d('w.yaml'), workload('c', '', 'image: { path: c.qed }')), d), unchanged: [img] };
    },
    exit: 2,
    says: ['image.path: the image has 1 corruption', 'l2@', 'nothing was written', '--repair'],
  },
  {
    name: 'map of an image with a cluster past EOF: refused as qemu-img map refuses it',
    setup: async (d) => {
      const img = await pokedImage(d('c.qed'), inFirstL2(8), 1 << 30);
      return { args: ['map', img], unchanged: [img] };
    },
    exit: 1,
    says: ['map: ', 'c.qed: l2@', 'points to 1073741824', 'not mapped'],
  },
  {
    name: 'map names an L2 entry past 2^53 exactly, as the file holds it',
    setup: async (d) => {
      const img = await pokedImage(d('c.qed'), inFirstL2(8), 2n ** 64n - 1n);
      return { args: ['map', img], unchanged: [img] };
    },
    exit: 1,
    says: ['points to 18446744073709551615, not a valid cluster offset'],
  },
  {
    name: 'a read through an L1 entry past 2^53 names it exactly',
    setup: async (d) => {
      const img = await pokedImage(d('c.qed'), async (i) => Number(await readU64(i, HEADER.l1TableOffset)) + 16, 2n ** 53n + 1n);
      return { args: ['io', img, '-r', '-c', 'read 4M 4k'], unchanged: [img] };
    },
    exit: 1,
    says: ['L1 entry 2 points to an invalid L2 table offset 9007199254740993'],
  },
  {
    name: 'a backing chain that loops',
    setup: async (d) => {
      await imageWithData(d('b.qed'));
      await imageWithData(d('a.qed'), { file: 'b.qed', format: 'qed' });
      await imageWithData(d('b2.qed'), { file: 'a.qed', format: 'qed' });
      const { rename } = await import('node:fs/promises');
      await rename(d('b2.qed'), d('b.qed'));
      return { args: ['info', d('a.qed')], unchanged: [d('a.qed'), d('b.qed')] };
    },
    exit: 2,
    says: ['the backing chain loops', 'a.qed → ', 'b.qed → ', 'a.qed'],
  },
  {
    name: 'a huge header_size is reported as header_size',
    setup: async (d) => {
      const img = await pokedImage(d('h.qed'), HEADER.headerSize, 0x7fffffff, 4);
      return { args: ['info', img], unchanged: [img] };
    },
    exit: 2,
    says: ['header_size 2147483647 clusters', 'past the end of the file'],
  },
  {
    name: 'an l1_table_offset past 2^53 is printed exactly, not rounded',
    setup: async (d) => {
      const img = await pokedImage(d('h.qed'), HEADER.l1TableOffset, 2n ** 64n - 1n);
      return { args: ['info', img], unchanged: [img] };
    },
    exit: 2,
    says: ['l1_table_offset 18446744073709551615 is invalid'],
  },
  {
    name: 'an image_size past 2^53 is printed exactly, not rounded',
    setup: async (d) => {
      const img = await pokedImage(d('h.qed'), HEADER.imageSize, 2n ** 53n + 1n);
      return { args: ['check', img], unchanged: [img] };
    },
    exit: 2,
    says: ['image_size 9007199254740993 exceeds the maximum'],
  },
  {
    name: '--set through __proto__ is an unknown field, not an internal error',
    setup: async (d) => ({ args: run(await yaml(d('w.yaml'), workload('set-proto')), d, '--set', '__proto__.polluted=1', '--set', 'cache.constructor=1') }),
    exit: 2,
    says: ['(--set __proto__.polluted=1): unknown field "__proto__"'],
  },
  {
    name: "a missing backing file is named as the image's backing file",
    setup: async (d) => {
      const img = await imageWithData(d('m.qed'));
      await setBackingName(img, Buffer.from('nope.raw'));
      return { args: ['io', img, '-r', '-c', 'read 0 4k'], unchanged: [img] };
    },
    exit: 2,
    says: ['m.qed: backing file "nope.raw": ', 'nope.raw: cannot open for reading'],
  },
  {
    name: 'a backing file name holding a NUL byte',
    setup: async (d) => {
      const img = await imageWithData(d('z.qed'));
      await setBackingName(img, Buffer.from('a\0b'));
      return { args: ['info', img], unchanged: [img] };
    },
    exit: 2,
    says: ['z.qed: the backing file name "a\\u0000b" holds a NUL byte'],
  },
  {
    name: 'a zero-length backing name opens as QEMU opens it (no backing file)',
    setup: async (d) => {
      const img = await imageWithData(d('z.qed'));
      await setBackingName(img, Buffer.alloc(0));
      return { args: ['io', img, '-r', '-c', 'read -P 0xab 0 4k'], unchanged: [img] };
    },
    exit: 0,
    says: [],
    stdout: (s) => expect(s).toContain('read 4096/4096 bytes at offset 0'),
  },
  {
    name: 'io -r on a need-check image writes nothing',
    setup: async (d) => {
      const img = await imageWithData(d('n.qed'));
      await poke(img, HEADER.features, 2n);
      return { args: ['io', img, '-r', '-c', 'read -P 0xab 0 4k'], unchanged: [img] };
    },
    exit: 0,
    says: [],
  },
  {
    name: 'a results directory blocked by a file: refused before any replay',
    setup: async (d) => {
      await writeFile(d('blocker'), 'x');
      return { args: ['run', await yaml(d('w.yaml'), workload('rd')), '-q', '--no-qemu-check', '--results-dir', d('blocker')], unchanged: [d('blocker')] };
    },
    exit: 2,
    says: ['blocker: cannot create the results directory: a file of that name is in the way'],
  },
  {
    name: 'a typo in a hand-edited baseline is warned, naming the field and the near one (was silently ignored)',
    setup: async (d) => {
      const base = JSON.parse(await readFile(BASELINE, 'utf8'));
      base.total.hitRtae = base.total.hitRate;
      base.phases[0].ops.read.latency.p99x = 1;
      base.phases[0].ops.wirte = base.phases[0].ops.write;
      const typo = await yaml(d('typo.json'), JSON.stringify(base));
      return { args: ['compare', typo, BASELINE, '--format', 'text'], unchanged: [typo] };
    },
    exit: 0,
    says: ['qed-bench: compare: warning: ', 'typo.json: fields phases[0].ops.read.latency.p99x (did you mean p99?), phases[0].ops.wirte (did you mean write?), total.hitRtae (did you mean hitRate?) are not written by this qed-bench and are ignored'],
  },
  {
    name: 'merge warns of unknown fields in a sweep file too',
    setup: async (d) => {
      const base = JSON.parse(await readFile(BASELINE, 'utf8'));
      const sweep = { schema: 'qed-bench/sweep@1', tool: base.tool, environment: base.environment, sweep: { workload: 'w', file: 'w.yaml', set: [], sizes: [base.workload.cache.size], policies: [base.workload.cache.policy], shards: null, timing: 'deterministic', jobs: 1, elapsedMs: 1, status: 'completed', jbos: 2 }, runs: [{ size: base.workload.cache.size, policy: base.workload.cache.policy, results: base }] };
      return { args: ['merge', await yaml(d('s.json'), JSON.stringify(sweep)), '-o', d('m.json')] };
    },
    exit: 0,
    says: ['qed-bench: merge: warning: ', 's.json: field sweep.jbos (did you mean jobs?) is not written by this qed-bench'],
  },
  {
    name: 'a results file nested thousands of levels deep is located (was an internal error: call stack exceeded)',
    setup: async (d) => {
      const text = (await readFile(BASELINE, 'utf8')).replace('"phases": [', `"phases": [${'['.repeat(5000)}${']'.repeat(5000)}, `);
      return { args: ['compare', await yaml(d('deep.json'), text), BASELINE] };
    },
    exit: 2,
    says: ['deep.json:', 'lists and objects nested more than 64 levels deep'],
  },
  {
    name: 'a UTF-16 results file is named as such (was "Unexpected token" with the raw bytes)',
    setup: async (d) => ({ args: ['report', await yaml(d('u16.json'), Buffer.from(`\ufeff${await readFile(BASELINE, 'utf8')}`, 'utf16le')), '--format', 'md'] }),
    exit: 2,
    says: ['u16.json: the file is UTF-16 encoded', 'results files are UTF-8 JSON'],
  },
  {
    // its own case: given after u16.json, the first file's error stopped report before this one was read
    name: 'a NUL-filled results file is named as not text',
    setup: async (d) => ({ args: ['report', await yaml(d('nul.json'), Buffer.alloc(64)), '--format', 'md'] }),
    exit: 2,
    says: ['nul.json: the file is not text: a NUL byte at offset 0 (expected UTF-8 JSON)'],
  },
  {
    name: 'merge of a file that is not JSON names the line and column',
    setup: async (d) => ({ args: ['merge', await yaml(d('bad.json'), '{"schema": "qed-bench/sweep@1",,}'), '-o', d('m.json')] }),
    exit: 2,
    says: ['bad.json:1:32: not valid JSON'],
  },
  {
    name: 'check names the file',
    setup: async (d) => ({ args: ['check', await imageWithData(d('ok.qed'))], unchanged: [d('ok.qed')] }),
    exit: 0,
    says: [],
    stdout: (s) => expect(s.split('\n')[0]).toMatch(/^Image: .*ok\.qed$/),
  },
];

const sha = async (p: string) => createHash('sha256').update(await readFile(p)).digest('hex');

/** Temp images the runner would have left: qed-bench-* directories holding `<name>.qed`. */
async function leftImages(name: string): Promise<string[]> {
  const dirs = (await readdir(tmpdir())).filter((d) => d.startsWith('qed-bench-') && !d.startsWith('qed-bench-cli-'));
  return dirs.filter((d) => existsSync(join(tmpdir(), d, `${name}.qed`)));
}

describe('hostile input is refused cleanly', () => {
  it.each(CASES)('$name', async (c) => {
    const { args, unchanged = [] } = await c.setup(tmp.path);
    const before = await Promise.all(unchanged.map(sha));
    const r = await cli(...args);
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: c.exit });
    for (const s of c.says) expect(r.stderr).toContain(s);
    expect(r.stderr).not.toContain(STACK_LINE);
    expect(r.stderr).not.toContain('internal error');
    if (c.exit === 2) {
      expect(r.stderr).toMatch(/^qed-bench: /);
      expect(r.stdout).toBe('');
    }
    c.stdout?.(r.stdout);
    expect(await Promise.all(unchanged.map(sha))).toEqual(before);
    if (args[0] === 'run') {
      expect(existsSync(tmp.path('results.json'))).toBe(false);
      const name = /^name: (\S+)/m.exec(await readFile(args[1], 'utf8').catch(() => ''))?.[1];
      if (name) expect(await leftImages(name)).toEqual([]);
    }
  });

  it('check names an L1 entry past 2^53 exactly, from the L1 bytes it read, and writes nothing', async () => {
    const img = await pokedImage(tmp.path('c.qed'), async (i) => Number(await readU64(i, HEADER.l1TableOffset)) + 16, 2n ** 53n + 1n);
    const before = await readFile(img);
    const r = await cli('check', img);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('L1 entry 2 points to 9007199254740993, not a valid L2 table offset');
    expect(await readFile(img)).toEqual(before);
  });

  it('info prints compat and autoclear bits past 2^53 exactly, in text and JSON', async () => {
    const img = await imageWithData(tmp.path('f.qed'));
    await poke(img, HEADER.compatFeatures, 2n ** 64n - 1n);
    await poke(img, HEADER.autoclearFeatures, 2n ** 53n + 1n);
    const text = await cli('info', img);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('compat_features: 0xffffffffffffffff\n');
    expect(text.stdout).toContain('autoclear_features: 0x20000000000001\n');
    const json = await cli('info', img, '--json');
    expect(json.stdout).toContain('"compat_features": 18446744073709551615,');
    expect(json.stdout).toContain('"autoclear_features": 9007199254740993,');
  });

  it('a workload name longer than a file name gives a results file, not ENAMETOOLONG after the replay', async () => {
    const long = 'n'.repeat(400);
    const w = await yaml(tmp.path('w.yaml'), workload(long));
    const r = await cli('run', w, '-q', '--no-qemu-check', '--metadata-only', '--results-dir', tmp.path('res'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [file] = await readdir(tmp.path('res'));
    expect(file.length).toBeLessThanOrEqual(255);
    expect(file).toMatch(/^n{191}_[0-9a-f]{8}\.\d{8}T\d{6}Z\.json$/);
  });

  it('a mapping used as a key is one located paragraph: no YAML library warning on stderr', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    try {
      const w = await yaml(tmp.path('w.yaml'), `${workload('map-key')}? { a: 1 }\n: 2\n`);
      const r = await cli(...run(w, tmp.path), '--set', 'cache={? [a]: 1}');
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('unknown key "[ a ]"');
      const f = await cli(...run(w, tmp.path));
      expect(f.stderr).toContain('w.yaml:9:3: unknown key "{ a: 1 }"'); // the key's own position, not 1:1
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it.each([
    ['a mapping', '? { a: 1 }\n        : 2', 'unknown key "{ a: 1 }"', '9:11'],
    ['a list', '? [a]\n        : 2', 'unknown key "[ a ]"', '9:11'],
    ['a number', '5: 2', 'unknown key "5"', '9:9'],
    ['null', 'null: 2', 'unknown key "" (an empty or null key)', '9:9'],
  ])('%s as a key inside a job is located at the key, not at the job', async (_, key, says, at) => {
    const job = `      - name: w\n        ${key}\n        pattern: random\n        bs: 4k\n        stop: { ops: 20 }\n`;
    const w = await yaml(tmp.path('w.yaml'), `${workload('key-at').split('      - {')[0]}${job}`);
    const r = await cli(...run(w, tmp.path));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`w.yaml:${at}: phases[0].jobs[0]: ${says}`);
  });

  it('a writable io open of a need-check image says on stderr that it repairs', async () => {
    const img = await imageWithData(tmp.path('n.qed'));
    await poke(img, HEADER.features, 2n);
    const r = await cli('io', img, '-c', 'read -P 0xab 0 4k');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('was not closed cleanly (need-check is set): checking and repairing it');
  });

  it('--max-runs lets a large matrix through (refused only above it)', async () => {
    const w = await yaml(tmp.path('w.yaml'), `${workload('m2')}matrix:\n  cache.size: [1, 2, 3]\n`);
    const r = await cli('run', w, '--max-runs', '2', '-q', '--no-qemu-check', '-o', tmp.path('r.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expands to 3 runs');
    const ok = await cli('run', w, '--max-runs', '3', '-q', '--no-qemu-check', '-o', tmp.path('r.json'));
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
  });

  it('run --repair repairs a corrupt image.path first and replays', async () => {
    const img = await imageWithData(tmp.path('c.qed'));
    const l2 = Number(await readU64(img, Number(await readU64(img, HEADER.l1TableOffset))));
    await poke(img, l2 + 8, 1 << 30);
    const w = await yaml(tmp.path('w.yaml'), workload('c', '', 'image: { path: c.qed }'));
    const r = await cli('run', w, '--repair', '-q', '--no-qemu-check', '-o', tmp.path('r.json'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('a directory given as the image is named as one by info, check, map and io (was an EISDIR read error)', async () => {
    const d = tmp.path('img.d');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(d);
    for (const args of [['info', d], ['check', d], ['map', d], ['io', d, '-c', 'read 0 4k']]) {
      const r = await cli(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`qed-bench: ${d}: it is a directory, not an image file\n`);
      expect(await readdir(d)).toEqual([]);
    }
  });
});
