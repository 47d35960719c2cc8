/**
 * Benchmark helper: run one job in a fresh child process and get its one reply, so figures of the
 * whole process (peak RSS) belong to that job alone. The script must answer with
 * `answerInChildProcess`.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Forks `script` with the same Node flags, sends `job`, resolves to the one message it sends back. */
export function inFreshProcess<R>(script: URL, job: unknown, what: string): Promise<R> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(script), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: R | undefined;
    child.once('message', (m: R) => (result = m));
    child.once('error', reject);
    child.once('exit', (code) => (result !== undefined ? resolve(result) : reject(new Error(`process for ${what} exited with ${code}`))));
    child.send(job as object);
  });
}

/** The child's side: run the job sent by `inFreshProcess`, send the answer back, exit. */
export function answerInChildProcess<J, R>(run: (job: J) => Promise<R>): void {
  process.once('message', (job: J) => {
    run(job).then(
      (r) => process.send!(r as object, () => process.exit(0)),
      (e: unknown) => {
        console.error(e instanceof Error ? (e.stack ?? e.message) : e);
        process.exit(1);
      },
    );
  });
}
