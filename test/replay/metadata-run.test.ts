/** `run --metadata-only` and `image.store`: the store is recorded and said; impossible combinations are input errors. */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { RunResults } from '../../src/metrics/results.js';
import { STACK_LINE, cli, cliOk, useTempDir } from '../cli/helpers.js';

const TINY = `name: tiny
seed: 3
image: { size: 64M, cluster_size: 4k, table_size: 2 }
cache: { size: 4 }
scheduler: { mode: deterministic }
phases:
  - name: mix
    jobs:
      - { name: rw, pattern: random, op: mixed, rwmixread: 50, bs: 4k, iodepth: 4, region: { span: 8M }, stop: { ops: 300 } }
`;

describe('metadata-only run', () => {
  const tmp = useTempDir();
  const read = (p: string): RunResults => JSON.parse(readFileSync(p, 'utf8')) as RunResults;

  it('--metadata-only and image.store: metadata record the store, check mappings instead of bytes, keep the counters of a full run', async () => {
    const file = tmp.path('tiny.yaml');
    await writeFile(file, TINY);
    const full = tmp.path('full.json');
    const meta = tmp.path('meta.json');
    const viaYaml = tmp.path('yaml.json');
    await cliOk(0, 'run', file, '-q', '--no-qemu-check', '-o', full);
    const r = await cliOk(0, 'run', file, '-q', '--no-qemu-check', '--metadata-only', '-o', meta);
    await cliOk(0, 'run', file, '-q', '--no-qemu-check', '--set', 'image.store=metadata', '-o', viaYaml);
    const [f, m, y] = [read(full), read(meta), read(viaYaml)];
    expect([f.image.store, m.image.store, y.image.store]).toEqual(['file', 'metadata', 'metadata']);
    expect([f.integrity.verdict, m.integrity.verdict]).toEqual(['passed', 'passed']);
    expect(m.integrity.readsVerified).toBeGreaterThan(0); // each read's mapping, as it resolves
    expect(m.integrity.staleReads).toBe(0);
    expect(m.total).toEqual(f.total);
    expect(y.total).toEqual(f.total);
    expect(r.stdout).toContain('integrity: PASSED (metadata-only: checked at the mapping level');
    // The mapping check counts runs of clusters, not reads: the summary must not call them "reads verified".
    expect(r.stdout).toContain(`; ${m.integrity.readsVerified} read runs checked (one per run of clusters a read resolved), ${m.integrity.sectorsVerified} sectors of written clusters checked still mapped;`);
    expect(r.stdout).not.toContain('reads verified');
  }, 60_000);

  it('image.store: metadata with an existing image or a backing file is an input error naming the field', async () => {
    const file = tmp.path('bad.yaml');
    await writeFile(tmp.path('base.raw'), Buffer.alloc(4096));
    await writeFile(file, TINY.replace('table_size: 2 }', 'table_size: 2, store: metadata, backing: { file: base.raw, format: raw } }'));
    const r = await cli('run', file, '-q');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('image.store');
    expect(r.stderr).toContain('backing');
    expect(r.stderr).not.toContain(STACK_LINE);
  });
});
