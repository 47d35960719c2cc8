/** Every bench script's command line: `--help` is the usage and exit 0; an unknown option is one line, the usage and exit 2, no stack. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { usageFromOptions } from '../../scripts/lib/bench-args.js';
import { STACK_LINE } from '../cli/helpers.js';

const run = promisify(execFile);

const SCRIPTS: [file: string, name: string][] = [
  ['bench-backend', 'bench:backend'],
  ['bench-ci', 'bench:ci'],
  ['bench-engine-speed', 'bench:engine-speed'],
  ['bench-memory', 'bench:memory'],
  ['bench-micro', 'bench:micro'],
  ['bench-peers', 'bench:peers'],
  ['bench-replay', 'bench:replay'],
  ['bench-serve', 'bench:serve'],
  ['bench-shards', 'bench:shards'],
  ['bench-sim', 'bench:sim'],
  ['bench-trace', 'bench:trace'],
  ['powercut-sweep', 'powercut:sweep'],
];

async function script(file: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', `scripts/${file}.ts`, ...args], { timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe.concurrent('bench scripts', () => {
  for (const [file, name] of SCRIPTS) {
    it(`${file}: --help, then an unknown option`, async () => {
      const help = await script(file, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout.startsWith(`usage: npm run ${name} --`)).toBe(true);
      expect(help.stderr).toBe('');
      const bad = await script(file, '--no-such-option');
      expect(bad.code).toBe(2);
      expect(bad.stdout).toBe('');
      expect(bad.stderr.startsWith(`${name}: Unknown option '--no-such-option'`)).toBe(true);
      expect(bad.stderr).toContain(`usage: npm run ${name} --`);
      expect(bad.stderr).not.toContain(STACK_LINE);
    });
  }
});

it('the made usage shows each option with its default, and hides a script calling itself', () => {
  const usage = usageFromOptions('bench:x', {
    ops: { type: 'string', default: '10' },
    json: { type: 'boolean', default: false },
    bin: { type: 'string', multiple: true },
    'child-run': { type: 'string' },
  });
  expect(usage).toBe('npm run bench:x -- [--ops 10] [--json] [--bin X]...');
});
