/**
 * image.io sync settles every I/O promise at once, so a replay would run on microtasks alone:
 * the workers must give the event loop turns, or an abort from a timer (as Ctrl-C's handler)
 * would only be seen after the whole replay. Planned long enough that a turn every 250 ms
 * (job.ts) still stops it far short: 130,000 requests had run here when the abort was seen.
 */
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { expect, it } from 'vitest';
import { runWorkload } from '../../src/replay/runner.js';
import { parseWorkload } from '../../src/workload/load.js';

const PLANNED = 2_000_000;
const LONG = `
name: sync-interrupt
seed: 3
image: { size: 16M, cluster_size: 4k, table_size: 1, io: sync }
cache: { size: 4 }
phases:
  - name: long
    jobs:
      - { name: writers, pattern: random, op: write, bs: 4k, iodepth: 4, stop: { ops: ${PLANNED / 2} } }
      - { name: readers, pattern: random, op: read, bs: 4k, iodepth: 4, stop: { ops: ${PLANNED / 2} } }
`;

it('a sync-I/O replay aborted from a timer stops early: interrupted, far fewer requests than planned', async () => {
  const [w] = parseWorkload(LONG, 'sync-interrupt.yaml');
  const ac = new AbortController();
  // Armed once the replay runs (creating the image takes real time): a timer, as Ctrl-C's handler.
  let timer: NodeJS.Timeout | undefined;
  const r = await runWorkload(w, {
    signal: ac.signal,
    verify: false,
    qemuCheck: false,
    onProgress: () => {
      timer ??= setTimeout(() => ac.abort(), 20);
    },
  });
  clearTimeout(timer);
  expect(timer).toBeDefined();
  if (r.image.kept) await rm(dirname(r.image.path), { recursive: true, force: true });
  expect(r.status).toBe('interrupted');
  expect(r.total.requests).toBeGreaterThan(0);
  expect(r.total.requests).toBeLessThan(PLANNED / 4);
});
