/** Runs `qed-bench serve` in-process on ephemeral loopback ports for tests; stop() ends it like Ctrl-C. */
import { serveCommand, type ServeCommandOptions } from '../../src/cli/serve.js';
import type { ServeSession } from '../../src/serve/session.js';

export interface RunningServe {
  session: ServeSession;
  nbdUri: string;
  httpUrl: string | null;
  stdout: string[];
  stderr: string[];
  /** Stop gracefully; resolves to the exit code. */
  stop(): Promise<number>;
}

export async function startServe(target: string, opts: Partial<Omit<ServeCommandOptions, 'http'>> & { http?: boolean; resultsFile: string }): Promise<RunningServe> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  let listening!: (s: ServeSession) => void;
  const ready = new Promise<ServeSession>((r) => (listening = r));
  const { http, resultsFile, ...rest } = opts;
  const done = serveCommand(
    {
      target,
      nbd: '127.0.0.1:0',
      http: http ? '127.0.0.1:0' : undefined,
      set: [],
      resultsDir: 'results',
      out: resultsFile,
      handshakeTimeout: 10_000,
      idleTimeout: 60_000,
      putLimit: 1024 * 1024,
      quiet: true,
      ...rest,
      onListening: listening,
      stop: stopped,
    },
    { stdout: (s) => stdout.push(s), stderr: (s) => stderr.push(s) },
  );
  const session = await Promise.race([ready, done.then((code) => Promise.reject(new Error(`serve exited ${code}: ${stderr.join('')}`)))]);
  const a = session.nbdAddress;
  const h = session.httpAddress;
  return {
    session,
    nbdUri: a ? `nbd://127.0.0.1:${a.port}` : '',
    httpUrl: h ? `http://127.0.0.1:${h.port}` : null,
    stdout,
    stderr,
    stop: async () => {
      stop();
      return done;
    },
  };
}
