import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect } from 'vitest';
import { run } from '../../src/cli.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run qed-bench in-process and capture what it printed. */
export async function cli(...argv: string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) });
  return { code, stdout, stderr };
}

/** Like cli(), but fails the test with everything printed if the exit code is not `want`. */
export async function cliOk(want: number, ...argv: string[]): Promise<CliResult> {
  const r = await cli(...argv);
  if (r.code !== want) {
    throw new Error(`qed-bench ${argv.join(' ')} exited ${r.code}, expected ${want}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
  return r;
}

/** A fresh temp directory per test, removed afterwards; `path(name)` names a file in it. */
export function useTempDir(): { path: (name: string) => string } {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'qed-bench-cli-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return { path: (name) => join(dir, name) };
}

/** A stack trace line, which must never reach the user without --debug. */
export const STACK_LINE = '    at ';

/** A clean refusal of bad input: exit 2, each fragment in the "qed-bench: " message, no stack, no internal error, nothing on stdout. */
export function expectRefused(r: CliResult, says: string[]): void {
  expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 2 });
  for (const s of says) expect(r.stderr).toContain(s);
  expect(r.stderr).toMatch(/^qed-bench: /m);
  expect(r.stderr).not.toContain(STACK_LINE);
  expect(r.stderr).not.toContain('internal error');
  expect(r.stdout).toBe('');
}
