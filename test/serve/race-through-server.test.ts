// The seed's point through the NBD server: two clients, one allocating in table A, one cycling through
// other tables with a 2-table cache. fifo-unsafe evicts A mid-update and loses writes; fifo never does.
import { describe, expect, it } from 'vitest';
import { CMD, RawNbd } from './nbd-client.js';
import { servedImages } from './fixture.js';
import type { PolicyName } from '../../src/cache/policies/index.js';

const serve = servedImages();
const K4 = 4096;
const TABLE = 4 * 1024 * 1024; // 4 KiB clusters, table_size 2: one L2 table maps 4 MiB

/** Client A writes `rounds` × 64 clusters into table A while client B cycles 16 other tables; returns clusters whose data is gone. */
async function race(policy: PolicyName, rounds: number): Promise<{ lost: number; written: number }> {
  // io async: every request overlaps on the thread pool. The default (auto → adaptive) runs
  // page-cached requests inline, one at a time, which leaves the race no window to happen in.
  const s = await serve({ size: 128 * 1024 * 1024, clusterSize: K4, tableSize: 2, l2Cache: { size: 2, policy }, io: 'async' });
  const a = await RawNbd.connect(s.port);
  const b = await RawNbd.connect(s.port);
  await a.go();
  await b.go();
  for (let t = 1; t <= 16; t++) b.request(CMD.WRITE, BigInt(t), t * TABLE, K4, { payload: Buffer.alloc(K4, t) });
  for (let t = 1; t <= 16; t++) expect((await b.reply()).errno).toBe(0);
  let handle = 1000n;
  let written = 0;
  for (let r = 0; r < rounds; r++) {
    const base = r * 64 * K4;
    // B: 8 reads in flight all the time A writes, two through the other tables for each read of
    // A, so A is evicted and reloaded while A's allocating writes update it.
    let aDone = false;
    let i = 0;
    const reads = new Map<bigint, number>();
    const next = (): void => {
      const h = handle++;
      reads.set(h, K4);
      b.request(CMD.READ, h, i % 3 === 2 ? base : ((i % 16) + 1) * TABLE, K4);
      i++;
    };
    const cycler = (async () => {
      let pending = 0;
      for (; pending < 8; pending++) next();
      while (pending > 0) {
        await b.reply(reads);
        pending--;
        if (!aDone) {
          next();
          pending++;
        }
      }
    })();
    for (let c = 0; c < 64; c++) a.request(CMD.WRITE, handle++, base + c * K4, K4, { payload: Buffer.alloc(K4, (c % 250) + 1) });
    for (let c = 0; c < 64; c++) expect((await a.reply()).errno).toBe(0);
    aDone = true;
    await cycler;
    written += 64;
  }
  // Read everything A wrote back on a fresh connection.
  const c = await RawNbd.connect(s.port);
  await c.go();
  let lost = 0;
  const lengths = new Map<bigint, number>();
  for (let i = 0; i < written; i++) {
    lengths.set(BigInt(i), K4);
    c.request(CMD.READ, BigInt(i), i * K4, K4);
  }
  for (let i = 0; i < written; i++) {
    const rep = await c.reply(lengths);
    const want = (Number(rep.handle) % 64) % 250 + 1;
    if (!rep.data!.every((x) => x === want)) lost++;
  }
  for (const x of [a, b, c]) x.end();
  return { lost, written };
}

describe('the 2012 race through the server (real I/O timing)', () => {
  it('fifo never loses a write', async () => {
    const r = await race('fifo', 12);
    expect(r.lost).toBe(0);
  }, 120_000);

  it('fifo-unsafe loses writes: the reading client caches a stale table A and the next allocation rewrites it', async () => {
    const r = await race('fifo-unsafe', 12);
    console.log(`[serve race] fifo-unsafe through the NBD server, real file I/O: ${r.lost} of ${r.written} written clusters lost`);
    expect(r.lost).toBeGreaterThan(0);
  }, 120_000);
});
