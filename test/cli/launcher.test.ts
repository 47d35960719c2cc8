/**
 * bin/qed-bench.js, the launcher: CommonJS (bin/package.json), so that it sets UV_THREADPOOL_SIZE
 * before libuv's pool starts (cache: none's requests run there), leaves a value the environment
 * gives alone, and says what to do when dist/ is missing. Run on a copy beside a stub CLI that
 * reports how many threads libuv's pool started.
 */
import { spawnSync } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempDir } from './helpers.js';

const tmp = useTempDir();

// Loading this module already started libuv's pool: all threads of the process are counted, and
// two launches compared (V8's own threads are the same in both).
const STUB = `import fs from 'node:fs';
export function main() {
  fs.stat('/', () => console.log(JSON.stringify({ env: process.env.UV_THREADPOOL_SIZE ?? null, threads: fs.readdirSync('/proc/self/task').length })));
}
`;

async function launcherCopy(withDist: boolean): Promise<string> {
  const root = tmp.path('pkg');
  await mkdir(join(root, 'bin'), { recursive: true });
  await copyFile('bin/qed-bench.js', join(root, 'bin/qed-bench.js'));
  await copyFile('bin/package.json', join(root, 'bin/package.json'));
  await writeFile(join(root, 'package.json'), '{ "type": "module" }\n');
  if (withDist) {
    await mkdir(join(root, 'dist/src'), { recursive: true });
    await writeFile(join(root, 'dist/src/cli.js'), STUB);
  }
  return join(root, 'bin/qed-bench.js');
}

function launch(bin: string, env: NodeJS.ProcessEnv) {
  const clean = { ...process.env };
  delete clean.UV_THREADPOOL_SIZE;
  return spawnSync(process.execPath, [bin], { env: { ...clean, ...env }, encoding: 'utf8', timeout: 30_000 });
}

describe.skipIf(process.platform !== 'linux')('bin/qed-bench.js', () => {
  it("starts libuv's pool with 16 threads when the environment sets none, and keeps the environment's value", async () => {
    const bin = await launcherCopy(true);
    const dflt = launch(bin, {});
    const six = launch(bin, { UV_THREADPOOL_SIZE: '6' });
    expect(dflt.status, dflt.stderr).toBe(0);
    const a = JSON.parse(dflt.stdout) as { env: string; threads: number };
    const b = JSON.parse(six.stdout) as { env: string; threads: number };
    expect([a.env, b.env]).toEqual(['16', '6']);
    expect(a.threads - b.threads).toBe(16 - 6);
  });

  it('without dist/ says to build, exit 2, no stack', async () => {
    const r = launch(await launcherCopy(false), {});
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('qed-bench: dist/ is missing; run `npm run build` first.\n');
  });
});
