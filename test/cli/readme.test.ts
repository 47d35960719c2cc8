/** What the README tells a newcomer to expect, checked against what the CLI really does. */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { cli, cliOk, useTempDir } from './helpers.js';

const tmp = useTempDir();
const readme = () => readFile(new URL('../../README.md', import.meta.url), 'utf8');

/** A results path as the README writes it (`results/NAME<time>.json`) as a pattern for a file name. */
function namePattern(documented: string): RegExp {
  const name = documented.replace(/^results\//, '');
  const [before, after] = name.split('<time>');
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${esc(before)}\\d{8}T\\d{6}Z${esc(after)}$`);
}

describe('README', () => {
  it('the first command writes the results file the README names', async () => {
    const text = await readme();
    const documented = text.match(/writes `(results\/mixed-parallel[^`]*<time>\.json)`/)?.[1];
    expect(documented).toBeDefined();
    const dir = tmp.path('results');
    // Metadata-only: the same naming as the full replay, in a second instead of ten.
    await cliOk(0, 'run', 'workloads/mixed-parallel.yaml', '--metadata-only', '-q', '--results-dir', dir);
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(namePattern(documented!));
  }, 60_000);

  it('the example workload writes the matrix files the README names', async () => {
    const text = await readme();
    const example = text.match(/```yaml\n(name: example\n[\s\S]*?)```/)?.[1];
    expect(example).toBeDefined();
    const documented = text.match(/writes `(results\/example\.[^`]*<time>\.json)`/)?.[1];
    expect(documented).toBeDefined();
    const file = tmp.path('example.yaml');
    await writeFile(file, example!);
    const dir = tmp.path('results');
    await cliOk(0, 'run', file, '--metadata-only', '-q', '--results-dir', dir);
    const files = await readdir(dir);
    expect(files).toHaveLength(8);
    expect(files.filter((f) => namePattern(documented!).test(f))).toHaveLength(1);
  }, 120_000);

  it('the "Next steps" commands name real subcommands, options and files', async () => {
    const text = await readme();
    const block = text.match(/## Next steps\n\n```sh\n([\s\S]*?)```/)?.[1];
    expect(block).toBeDefined();
    const lines = block!.trim().split('\n').map((l) => l.replace(/#.*$/, '').trim());
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) {
      const [npx, bin, command, ...args] = line.split(/\s+/);
      expect([npx, bin]).toEqual(['npx', 'qed-bench']);
      const help = await cli(command, '--help');
      expect(help.code, line).toBe(0);
      for (const opt of args.filter((a) => a.startsWith('-'))) expect(help.stdout, `${line}: ${opt}`).toMatch(new RegExp(`(^|[ ,])${opt}[ ,<]`, 'm'));
      for (const file of args.filter((a) => a.startsWith('workloads/'))) expect(existsSync(file), file).toBe(true);
    }
  });
});
