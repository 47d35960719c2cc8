/**
 * `qed-bench run X 2>&1 | head`: stdout and stderr closed by the reader. The run goes on, writes
 * its results file and exits 0 (an EPIPE on stderr was unhandled and killed it before the results).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { spawnCli } from './spawn-cli.js';
import { useTempDir } from './helpers.js';

const tmp = useTempDir();

describe('closed output pipes', () => {
  it('a run whose stdout and stderr readers went away still writes its results and exits 0', async () => {
    const out = tmp.path('r.json');
    const { child, exited } = spawnCli(['run', 'workloads/random-read-zipf.yaml', '--metadata-only', '-o', out]);
    child.stdout!.destroy();
    child.stderr!.destroy();
    expect(await exited).toBe(0);
    expect(existsSync(out)).toBe(true);
  }, 60_000);
});
