/** scripts/powercut-sweep.ts on bad input: one paragraph naming the file, exit 2, no stack. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { STACK_LINE } from '../cli/helpers.js';

const run = promisify(execFile);

async function sweep(...args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', 'scripts/powercut-sweep.ts', '--runs', '1', '--threads', '1', ...args], { timeout: 60_000 });
    return { code: 0, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

it('a missing workload file, or one without a power cut, is exit 2 naming the file', async () => {
  const missing = await sweep('--workload', 'workloads/no-such-file.yaml');
  expect(missing.code).toBe(2);
  expect(missing.stderr).toBe('powercut:sweep: workloads/no-such-file.yaml: cannot read the workload file: no such file or directory\n');
  expect(missing.stderr).not.toContain(STACK_LINE);
  const noCut = await sweep('--workload', 'workloads/seed-race-small.yaml');
  expect(noCut.code).toBe(2);
  expect(noCut.stderr).toMatch(/^powercut:sweep: workloads\/seed-race-small\.yaml: scheduler\.power_cut: not set; /);
  expect(noCut.stderr).not.toContain(STACK_LINE);
});
