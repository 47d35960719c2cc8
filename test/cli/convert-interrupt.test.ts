/**
 * Ctrl-C during `trace convert`: the CLI, in its own process, stops between batches, removes its
 * temp file, writes no output and exits 130.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import { spawnCli, waitUntil } from './spawn-cli.js';

it('Ctrl-C during trace convert leaves neither the output nor its temp file, exit 130', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'qed-bench-convert-int-'));
  try {
    // 8 M Alibaba lines as 400 gzip members of one 20 k-line chunk (a valid multi-member .gz), seconds to convert.
    const lines = Array.from({ length: 20_000 }, (_, i) => `3,${i % 3 ? 'R' : 'W'},${(i * 4096) % 2 ** 30},4096,${1000 + i}`).join('\n') + '\n';
    const member = gzipSync(lines);
    await writeFile(join(dir, 'in.csv.gz'), Buffer.concat(Array.from({ length: 400 }, () => member)));
    const { child, out, exited } = spawnCli(['trace', 'convert', join(dir, 'in.csv.gz'), '--format', 'alibaba', '--to', 'msr', '-o', join(dir, 'out.csv')]);
    // Once the conversion writes (its temp file beside the output exists), as a user would.
    expect(await waitUntil(async () => (await readdir(dir)).some((f) => f.endsWith('.tmp'))), `no temp file within 60 s; stderr:\n${out.stderr}`).toBe(true);
    child.kill('SIGINT');
    const code = await exited;
    const { stderr } = out;
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('trace convert interrupted after');
    expect(stderr).not.toContain('    at ');
    expect(await readdir(dir)).toEqual(['in.csv.gz']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 120_000);
