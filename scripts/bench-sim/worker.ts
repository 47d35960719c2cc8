/** bench:sim's worker and child-process entry: runs the one job it is given and answers with its samples. */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { answerInChildProcess } from '../lib/fresh-process.js';
import { runCacheAlone, type CacheAloneJob } from './cache-alone.js';
import { runCurves, type CurveJob } from './curves.js';
import { runReplay, type ReplayJob } from './replays.js';

export type Job = CacheAloneJob | CurveJob | ReplayJob;

async function runJob(job: Job): Promise<unknown> {
  if (job.task === 'cache-alone') return runCacheAlone(job);
  if (job.task === 'curve') return runCurves(job);
  return runReplay(job);
}

if (!isMainThread) {
  // A rejection is an uncaught error in the worker: the main thread's 'error' handler sees it.
  void runJob(workerData as Job).then((r) => parentPort!.postMessage(r));
} else if (process.send) {
  answerInChildProcess(runJob);
}
