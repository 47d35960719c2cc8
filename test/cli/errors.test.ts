import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { cli, cliOk, expectRefused, STACK_LINE, useTempDir, type CliResult } from './helpers.js';

const tmp = useTempDir();

/** A usage/input error: a clean refusal (expectRefused) whose message starts stderr and is short. */
function expectUsageError(r: CliResult, ...mentions: string[]): void {
  expectRefused(r, mentions);
  expect(r.stderr).toMatch(/^qed-bench: /);
  expect(r.stderr.trimEnd().split('\n').length).toBeLessThanOrEqual(2);
}

describe('bad input', () => {
  it.each(['info', 'check', 'map'])('%s: a missing file names it', async (cmd) => {
    const path = tmp.path('missing.qed');
    expectUsageError(await cli(cmd, path), path, 'ENOENT');
  });

  it.each(['info', 'check', 'io'])('%s: a truncated (10-byte) file names it', async (cmd) => {
    const path = tmp.path('short.qed');
    await writeFile(path, Buffer.alloc(10));
    const extra = cmd === 'io' ? ['-c', 'read 0 1'] : [];
    expectUsageError(await cli(cmd, path, ...extra), path, 'truncated');
  });

  it('bad magic names the file and the field', async () => {
    const path = tmp.path('bad.qed');
    await cliOk(0, 'create', path, '1M');
    const bytes = await readFile(path);
    bytes.write('QCOW', 0);
    await writeFile(path, bytes);
    expectUsageError(await cli('info', path), path, 'magic');
  });

  it.each([
    [['12345'], 'image size 12345'],
    [['1G', '-t', '3'], 'table size 3'],
    [['1G', '-c', '1k'], 'cluster size 1024'],
    [['65T'], 'image size'],
  ])('create %j is refused (%s) and an existing file is left alone', async (args, mention) => {
    const path = tmp.path('x.qed');
    await writeFile(path, 'precious');
    expectUsageError(await cli('create', path, ...args), path, mention);
    expect(await readFile(path, 'utf8')).toBe('precious');
  });

  it.each([
    [['create', 'x.qed', '1x'], "argument 'size'"],
    [['create', 'x.qed', '1G', '-c', 'big'], '--cluster-size'],
    [['create', 'x.qed', '1G', '-t', '2.5'], '--table-size'],
    [['create', 'x.qed', '1G', '-F', 'vmdk'], '--backing-format'],
    [['create', 'x.qed'], 'give SIZE'],
    [['info', 'x.qed', '--frob'], "unknown option '--frob'"],
    [['frob'], "unknown command 'frob'"],
    [['io', 'x.qed', '--cache-size', 'many', '-c', 'flush'], '--cache-size'],
    [['io', 'x.qed', '--cache-size', '0', '-c', 'flush'], 'at least 1'],
    [['io', 'x.qed'], 'at least one -c'],
  ])('usage: %j mentions %s', async (args, mention) => {
    expectUsageError(await cli(...args), mention);
  });

  it('a missing backing file is named when creating', async () => {
    const path = tmp.path('top.qed');
    expectUsageError(await cli('create', path, '-b', 'nope.raw'), 'nope.raw', '-b');
  });

  it('--debug adds the stack trace', async () => {
    const r = await cli('--debug', 'info', tmp.path('missing.qed'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(STACK_LINE);
  });

  it('--help exits 0 on stdout; no command at all is a usage error', async () => {
    const help = await cli('io', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--cache-policy');
    expect((await cli()).code).toBe(2);
  });
});
