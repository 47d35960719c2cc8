/** The two NBD servers bench:serve compares, started on ephemeral loopback ports and stopped cleanly. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { runTool } from '../peers/tools.js';

export interface RunningServer {
  name: string;
  nbdUri: string;
  httpUrl: string | null;
  /** Graceful stop; resolves to what the server printed (ours: the summary). */
  stop(): Promise<string>;
}

/** bin/qed-bench.js, from dist/scripts/serve (the build) or scripts/serve (tsx). */
const CLI = ['../../../bin/qed-bench.js', '../../bin/qed-bench.js'].map((p) => fileURLToPath(new URL(p, import.meta.url))).find((p) => existsSync(p))!;

/** `qed-bench serve IMAGE` with NBD and HTTP on free loopback ports; `node` flags for profiling. */
export async function startOurs(image: string, opts: { cacheSize?: number; nodeArgs?: string[]; resultsFile: string }): Promise<RunningServer> {
  const args = [...(opts.nodeArgs ?? []), CLI, 'serve', image, '--nbd', '127.0.0.1:0', '--http', '127.0.0.1:0', '-q', '-o', opts.resultsFile];
  if (opts.cacheSize) args.push('--set', `cache.size=${opts.cacheSize}`);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<number>((r) => child.on('exit', (code) => r(code ?? -1)));
  const deadline = Date.now() + 30_000;
  while (!/http:\s+http:\/\//.test(out)) {
    if (child.exitCode !== null) throw new Error(`qed-bench serve exited ${child.exitCode}: ${err}`);
    if (Date.now() > deadline) throw new Error(`qed-bench serve did not start: ${out}${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    name: 'qed-bench serve',
    nbdUri: /nbd:\s+(nbd:\/\/\S+)/.exec(out)![1],
    httpUrl: /http:\s+(http:\/\/\S+?)\/?\s/.exec(out)![1],
    stop: async () => {
      child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`qed-bench serve exited ${code} on SIGTERM: ${err}`);
      return out;
    },
  };
}

/** `qemu-nbd -f qed` on a free loopback port, shared by up to 8 clients, forked with a pid file. */
export async function startQemuNbd(image: string, pidFile: string): Promise<RunningServer> {
  const port = await freePort();
  const r = await runTool('qemu-nbd', ['-f', 'qed', '-t', '-e', '8', '--bind', '127.0.0.1', '-p', String(port), '--cache=writeback', '--aio=threads', `--pid-file=${pidFile}`, '--fork', image]);
  if (r.code !== 0) throw new Error(`qemu-nbd failed (exit ${r.code}): ${r.stderr}`);
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return {
    name: 'qemu-nbd -f qed',
    nbdUri: `nbd://127.0.0.1:${port}`,
    httpUrl: null,
    stop: async () => {
      process.kill(pid, 'SIGTERM');
      for (let i = 0; i < 100; i++) {
        try {
          process.kill(pid, 0);
        } catch {
          return '';
        }
        await new Promise((res) => setTimeout(res, 50));
      }
      throw new Error(`qemu-nbd (pid ${pid}) did not stop`);
    },
  };
}

/** A port the kernel says is free now (qemu-nbd cannot report the one it picks for port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
