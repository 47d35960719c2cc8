/** A worker thread of `qed-bench stress`: runs the seeds it is handed, one at a time (see stress.ts). */
import { parentPort } from 'node:worker_threads';
import type { Workload } from '../workload/types.js';
import { runSeed, stressWorkload, type FromWorker, type StressSpec, type ToWorker } from './stress.js';

const port = parentPort;
if (!port) throw new Error('stress-worker runs as a worker thread');

let spec: StressSpec | null = null;
const bases = new Map<string, Workload>();
const send = (m: FromWorker): void => port.postMessage(m);

port.on('message', (m: ToWorker) => {
  void (async () => {
    try {
      if (m.type === 'init') {
        spec = m.spec;
        send({ type: 'ready' });
      } else {
        if (!spec) throw new Error('run before init');
        let base = bases.get(m.policy);
        if (!base) bases.set(m.policy, (base = stressWorkload(spec, m.policy, m.seed)));
        send({ type: 'result', run: await runSeed(base, spec, m.seed) });
      }
    } catch (err) {
      send({ type: 'fatal', message: err instanceof Error ? err.message : String(err) });
    }
  })();
});
