/** qed-bench in a child process (from src/ through tsx), for tests that send it signals. */
import { spawn, type ChildProcess } from 'node:child_process';

const LAUNCH = "import('./src/cli.ts').then((m) => m.main(['', '', ...process.argv.slice(1)]))";

export interface SpawnedCli {
  child: ChildProcess;
  /** What it printed so far. */
  out: { stdout: string; stderr: string };
  /** Its exit code (null: killed by a signal it did not handle). */
  exited: Promise<number | null>;
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv = process.env): SpawnedCli {
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', LAUNCH, '--', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d) => (out.stdout += d));
  child.stderr!.on('data', (d) => (out.stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  return { child, out, exited };
}

/** Poll `ready` every 50 ms for up to `ms`; whether it came true. */
export async function waitUntil(ready: () => Promise<boolean>, ms = 60_000): Promise<boolean> {
  const started = Date.now();
  while (!(await ready())) {
    if (Date.now() - started > ms) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}
