/**
 * ring-hammer: keeps every slot of one ring pool busy with 4 KiB page-cached reads for a while
 * and reports any request the pool failed. Found the claim race (docs/engine.md, "The hang's
 * cause"): with the old claim order it left requests held by no worker within a minute, which the
 * pool's watch turns into "stopped responding" errors here. Not timed; run it under the shared lock.
 *
 *   node dist/scripts/ring-hammer.js [threads=16] [depth=128] [seconds=60]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RingPool } from '../src/io/ring-pool.js';

const [threads = 16, depth = 128, seconds = 60] = process.argv.slice(2).map(Number);
const file = path.join(os.tmpdir(), `ring-hammer-${process.pid}.bin`);
fs.writeFileSync(file, Buffer.alloc(16 << 20, 7));
const fd = fs.openSync(file, 'r');
const pool = new RingPool(threads);
pool.stuckBounds = 5; // 1 s: nothing else runs on this pool
const end = Date.now() + seconds * 1000;
let done = 0;
let failed: string | null = null;

async function lane(i: number): Promise<void> {
  const buf = new Uint8Array(4096);
  while (!failed && Date.now() < end) {
    const r = await pool.read(fd, buf, ((done * 7 + i) % 4096) * 4096);
    if (r.error) failed = r.error.message;
    else done++;
  }
}

try {
  await Promise.all(Array.from({ length: depth }, (_, i) => lane(i)));
} finally {
  fs.closeSync(fd);
  fs.unlinkSync(file);
}
console.log(JSON.stringify({ threads, depth, seconds, done, failed }));
process.exit(failed ? 1 : 0);
