// The NBD server against a hand-written client: handshake, commands, pipelining, and every class of bad client.
import { describe, expect, it } from 'vitest';
import { CMD, OPT, RawNbd, REP_ACK, REP_ERR_INVALID, REP_ERR_UNKNOWN, REP_ERR_UNSUP } from './nbd-client.js';
import { servedImages } from './fixture.js';
import type { ServeTarget } from '../../src/serve/target.js';

const serve = servedImages();
const EINVAL = 22;
const ENOSPC = 28;
const EPERM = 1;
const ESHUTDOWN = 108;

const pattern = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

/** The image with a hook run before every read (to hold reads back). */
const beforeReads = (before: () => Promise<void>) => (t: ServeTarget): ServeTarget => ({
  size: t.size,
  readOnly: t.readOnly,
  read: async (buf, off) => {
    await before();
    await t.read(buf, off);
  },
  write: (buf, off) => t.write(buf, off),
  writeZeroes: (o, l) => t.writeZeroes(o, l),
  flush: () => t.flush(),
});

/** Write then read back through a fresh connection: proves the server still serves. */
async function roundTrip(port: number, offset: number, seed: number): Promise<void> {
  const c = await RawNbd.connect(port);
  await c.go();
  const data = pattern(4096, seed);
  c.request(CMD.WRITE, 1n, offset, 4096, { payload: data });
  expect((await c.reply()).errno).toBe(0);
  c.request(CMD.READ, 2n, offset, 4096);
  const r = await c.reply(new Map([[2n, 4096]]));
  expect(r.errno).toBe(0);
  expect(r.data!.equals(data)).toBe(true);
  c.end();
}

describe('NBD handshake', () => {
  it('GO gives size, the export flags and block size constraints', async () => {
    const s = await serve({ size: 8 * 1024 * 1024 });
    const c = await RawNbd.connect(s.port);
    const info = await c.go();
    expect(info.size).toBe(8n * 1024n * 1024n);
    // HAS_FLAGS, SEND_FLUSH, SEND_FUA, SEND_TRIM, SEND_WRITE_ZEROES, CAN_MULTI_CONN; not READ_ONLY
    expect(info.flags).toBe(1 | 4 | 8 | 32 | 64 | 256);
    expect(info.blockSizes).toEqual([512, 65536, 32 * 1024 * 1024]);
    c.end();
  });

  it('read-only export: READ_ONLY flag, writes, zeroes and trims refused with EPERM, nothing written', async () => {
    const s = await serve({ readOnly: true });
    const c = await RawNbd.connect(s.port);
    expect((await c.go()).flags & 2).toBe(2);
    c.request(CMD.WRITE, 1n, 0, 512, { payload: pattern(512, 1) });
    c.request(CMD.WRITE_ZEROES, 2n, 0, 512);
    c.request(CMD.TRIM, 3n, 0, 512);
    const errs = [await c.reply(), await c.reply(), await c.reply()].map((r) => r.errno);
    expect(errs).toEqual([EPERM, EPERM, EPERM]);
    const back = new Uint8Array(512);
    await s.img.read(back, 0);
    expect(back.every((b) => b === 0)).toBe(true);
    c.end();
  });

  it('LIST, INFO of an unknown export, unsupported options, ABORT', async () => {
    const s = await serve();
    const c = await RawNbd.connect(s.port);
    await c.greet();
    c.option(OPT.LIST);
    const srv = await c.optionReply();
    expect(srv.type).toBe(2);
    expect(srv.data.readUInt32BE(0)).toBe(0); // the default export, named ""
    expect((await c.optionReply()).type).toBe(REP_ACK);
    c.option(OPT.LIST, Buffer.from('x'));
    expect((await c.optionReply()).type).toBe(REP_ERR_INVALID);
    c.option(OPT.INFO, RawNbd.infoRequest('nope'));
    expect((await c.optionReply()).type).toBe(REP_ERR_UNKNOWN);
    c.option(OPT.INFO, Buffer.from([0, 0, 0, 9, 1])); // name length past the data
    expect((await c.optionReply()).type).toBe(REP_ERR_INVALID);
    c.option(OPT.STARTTLS);
    expect((await c.optionReply()).type).toBe(REP_ERR_UNSUP);
    c.option(OPT.SET_META_CONTEXT, Buffer.alloc(8));
    expect((await c.optionReply()).type).toBe(REP_ERR_UNSUP);
    c.option(OPT.ABORT);
    expect((await c.optionReply()).type).toBe(REP_ACK);
    expect(await c.closesWithin(2000)).toBe(true);
  });

  it('EXPORT_NAME enters transmission with size and flags (no zero padding when asked)', async () => {
    const s = await serve({ size: 1024 * 1024 });
    const c = await RawNbd.connect(s.port);
    await c.greet(3);
    c.option(OPT.EXPORT_NAME, Buffer.from(''));
    const r = await c.read(10);
    expect(r.readBigUInt64BE(0)).toBe(1024n * 1024n);
    c.request(CMD.READ, 7n, 0, 512);
    const rep = await c.reply(new Map([[7n, 512]]));
    expect(rep.errno).toBe(0);
    c.end();
  });

  it('closes on bad option magic, unknown client flags, an oversized option and an unknown EXPORT_NAME', async () => {
    const s = await serve();
    const cases: Array<(c: RawNbd) => Promise<void>> = [
      async (c) => {
        await c.greet();
        c.option(OPT.GO, RawNbd.infoRequest(''), 'NOTMAGIC');
      },
      async (c) => {
        await c.greet(0x80);
      },
      async (c) => {
        await c.greet();
        c.option(OPT.GO, Buffer.alloc(100_000));
      },
      async (c) => {
        await c.greet();
        c.option(OPT.EXPORT_NAME, Buffer.from('other'));
      },
    ];
    for (const f of cases) {
      const c = await RawNbd.connect(s.port);
      await f(c);
      expect(await c.closesWithin(2000)).toBe(true);
    }
    const kinds = s.metrics.counts().protocolErrors;
    expect(kinds).toMatchObject({ 'bad-magic': 1, 'bad-client-flags': 1, 'option-too-long': 1, 'unknown-export': 1 });
    await roundTrip(s.port, 0, 3);
  });

  it('a stalled handshake is closed after the handshake timeout; others keep working', async () => {
    const s = await serve({ handshakeTimeoutMs: 200 });
    const stalled = await RawNbd.connect(s.port);
    await stalled.read(18); // greeting, then silence
    await roundTrip(s.port, 4096, 4);
    expect(await stalled.closesWithin(3000)).toBe(true);
    expect(s.metrics.counts().protocolErrors['handshake-timeout']).toBe(1);
  });

  it('an idle connection is closed after the idle timeout', async () => {
    const s = await serve({ idleTimeoutMs: 200 });
    const c = await RawNbd.connect(s.port);
    await c.go();
    expect(await c.closesWithin(3000)).toBe(true);
    expect(s.metrics.counts().protocolErrors['idle-timeout']).toBe(1);
  });
});

describe('NBD transmission', () => {
  it('serves pipelined reads and writes; one connection sees another connection\'s writes', async () => {
    const s = await serve();
    const a = await RawNbd.connect(s.port);
    const b = await RawNbd.connect(s.port);
    await a.go();
    await b.go(true);
    const n = 32;
    for (let i = 0; i < n; i++) a.request(CMD.WRITE, BigInt(i), i * 65536 * 3, 8192, { payload: pattern(8192, i) });
    const done = new Set<bigint>();
    for (let i = 0; i < n; i++) {
      const r = await a.reply();
      expect(r.errno).toBe(0);
      done.add(r.handle);
    }
    expect(done.size).toBe(n);
    a.request(CMD.FLUSH, 99n, 0, 0);
    expect((await a.reply()).errno).toBe(0);
    const lengths = new Map<bigint, number>();
    for (let i = 0; i < n; i++) {
      lengths.set(BigInt(1000 + i), 8192);
      b.request(CMD.READ, BigInt(1000 + i), i * 65536 * 3, 8192);
    }
    for (let i = 0; i < n; i++) {
      const r = await b.reply(lengths);
      expect(r.chunkType).toBe(1); // structured OFFSET_DATA
      expect(r.data!.equals(pattern(8192, Number(r.handle) - 1000))).toBe(true);
    }
    a.end();
    b.end();
  });

  it('replies complete out of order: a slow request does not hold back a fast one', async () => {
    let delayNext = true;
    const s = await serve({
      wrapTarget: beforeReads(async () => {
        if (delayNext) {
          delayNext = false;
          await new Promise((r) => setTimeout(r, 200));
        }
      }),
    });
    const c = await RawNbd.connect(s.port);
    await c.go();
    c.request(CMD.READ, 1n, 0, 512);
    c.request(CMD.READ, 2n, 512, 512);
    const lengths = new Map([
      [1n, 512],
      [2n, 512],
    ]);
    const order = [(await c.reply(lengths)).handle, (await c.reply(lengths)).handle];
    expect(order).toEqual([2n, 1n]);
    c.end();
  });

  it('WRITE with FUA, WRITE_ZEROES, TRIM and DISC', async () => {
    const s = await serve();
    const c = await RawNbd.connect(s.port);
    await c.go();
    c.request(CMD.WRITE, 1n, 65536, 4096, { payload: pattern(4096, 9), flags: 1 });
    expect((await c.reply()).errno).toBe(0);
    c.request(CMD.WRITE_ZEROES, 2n, 65536, 1024);
    expect((await c.reply()).errno).toBe(0);
    c.request(CMD.TRIM, 3n, 0, 65536);
    expect((await c.reply()).errno).toBe(0);
    const back = new Uint8Array(4096);
    await s.img.read(back, 65536);
    expect(Buffer.from(back.subarray(0, 1024)).every((x) => x === 0)).toBe(true);
    expect(Buffer.from(back.subarray(1024)).equals(pattern(4096, 9).subarray(1024))).toBe(true);
    c.request(CMD.DISC, 4n, 0, 0);
    expect(await c.closesWithin(2000)).toBe(true);
  });

  it('refuses requests past the end (EINVAL read, ENOSPC write) without touching the bytes before the end', async () => {
    const size = 1024 * 1024;
    const s = await serve({ size });
    const c = await RawNbd.connect(s.port);
    await c.go(true);
    c.request(CMD.WRITE, 1n, size - 512, 512, { payload: pattern(512, 5) });
    expect((await c.reply()).errno).toBe(0);
    c.request(CMD.WRITE, 2n, size - 512, 1024, { payload: pattern(1024, 6) });
    expect((await c.reply()).errno).toBe(ENOSPC);
    c.request(CMD.WRITE_ZEROES, 3n, size - 512, 1024);
    expect((await c.reply()).errno).toBe(ENOSPC);
    c.request(CMD.READ, 4n, size - 512, 1024);
    const r = await c.reply();
    expect(r.chunkType).toBe(32769); // structured error chunk
    expect(r.errno).toBe(EINVAL);
    c.request(CMD.READ, 5n, 2 ** 60, 512);
    expect((await c.reply()).errno).toBe(EINVAL);
    const back = new Uint8Array(512);
    await s.img.read(back, size - 512);
    expect(Buffer.from(back).equals(pattern(512, 5))).toBe(true);
    c.end();
  });

  it('unknown commands get EINVAL and the connection goes on; over-maximum lengths get EINVAL, the stream stays in step', async () => {
    const s = await serve();
    const c = await RawNbd.connect(s.port);
    await c.go();
    c.request(42, 1n, 0, 0);
    expect((await c.reply()).errno).toBe(EINVAL);
    c.request(CMD.READ, 2n, 0, 33 * 1024 * 1024);
    expect((await c.reply()).errno).toBe(EINVAL);
    const big = 32 * 1024 * 1024 + 4096;
    c.request(CMD.WRITE, 3n, 0, big, { payload: Buffer.alloc(big, 0xee) });
    expect((await c.reply(new Map(), )).errno).toBe(EINVAL);
    c.request(CMD.READ, 4n, 0, 512);
    const r = await c.reply(new Map([[4n, 512]]));
    expect(r.errno).toBe(0);
    expect(r.data!.every((x) => x === 0)).toBe(true); // the refused payload was never written
    expect(s.metrics.counts().protocolErrors['unknown-command']).toBe(1);
    c.end();
  });

  it('zero-length reads: a NONE chunk with structured replies (OFFSET_DATA needs a byte), an empty simple reply without', async () => {
    const s = await serve();
    const c = await RawNbd.connect(s.port);
    await c.go(true);
    c.request(CMD.READ, 1n, 4096, 0);
    const r = await c.reply();
    expect(r.handle).toBe(1n);
    expect(r.chunkType).toBe(0); // NBD_REPLY_TYPE_NONE, done
    expect(r.errno).toBe(0);
    c.request(CMD.READ, 2n, 0, 512);
    const next = await c.reply(new Map([[2n, 512]]));
    expect([next.handle, next.chunkType, next.data!.length]).toEqual([2n, 1, 512]); // the stream stayed in step
    c.end();
    const simple = await RawNbd.connect(s.port);
    await simple.go();
    simple.request(CMD.READ, 3n, 0, 0);
    simple.request(CMD.READ, 4n, 0, 512);
    const lens = new Map([[3n, 0], [4n, 512]]);
    const got = [await simple.reply(lens), await simple.reply(lens)].sort((a, b) => Number(a.handle - b.handle));
    expect(got.map((x) => [x.errno, x.data!.length])).toEqual([[0, 0], [0, 512]]);
    simple.end();
  });

  it('unknown or inapplicable command flags get EINVAL, write payloads are skipped, the connection goes on', async () => {
    const s = await serve();
    const c = await RawNbd.connect(s.port);
    await c.go(true);
    const payload = pattern(4096, 9);
    c.request(CMD.WRITE, 1n, 0, 4096, { flags: 0x8000, payload });
    expect((await c.reply()).errno).toBe(EINVAL);
    c.request(CMD.WRITE_ZEROES, 2n, 0, 4096, { flags: 1 << 4 }); // FAST_ZERO: not advertised
    expect((await c.reply()).errno).toBe(EINVAL);
    c.request(CMD.READ, 3n, 0, 4096, { flags: 1 << 2 }); // DF: not advertised
    const df = await c.reply();
    expect([df.chunkType, df.errno]).toEqual([32769, EINVAL]);
    c.request(CMD.FLUSH, 4n, 0, 0, { flags: 1 << 1 }); // NO_HOLE is for WRITE_ZEROES only
    expect((await c.reply()).errno).toBe(EINVAL);
    c.request(CMD.WRITE_ZEROES, 5n, 0, 4096, { flags: 1 | (1 << 1) }); // FUA | NO_HOLE: valid
    expect((await c.reply()).errno).toBe(0);
    c.request(CMD.READ, 6n, 0, 4096, { flags: 1 }); // FUA is accepted on every command
    const r = await c.reply();
    expect(r.errno).toBe(0);
    expect(r.data!.every((x) => x === 0)).toBe(true); // the refused write's payload was never written
    expect(s.metrics.counts().protocolErrors['unknown-command-flags']).toBe(4);
    c.end();
  });

  it('trim past the end gets EINVAL (a read-like refusal), not ENOSPC', async () => {
    const size = 1024 * 1024;
    const s = await serve({ size });
    const c = await RawNbd.connect(s.port);
    await c.go();
    c.request(CMD.TRIM, 1n, size - 512, 1024);
    expect((await c.reply()).errno).toBe(EINVAL);
    c.end();
  });

  it('a client that does not read its replies: the server stops taking requests instead of buffering them all, then serves the rest', async () => {
    const s = await serve();
    const c = await RawNbd.connect(s.port);
    await c.go();
    c.socket.pause(); // read nothing: replies pile up in the sockets
    const n = 100;
    const len = 4 * 1024 * 1024;
    for (let i = 0; i < n; i++) c.request(CMD.READ, BigInt(i), 0, len);
    await new Promise((r) => setTimeout(r, 1500));
    // Without the bound all 100 (400 MiB) were served into the send buffer; with it, what fits 64 MiB buffered + 128 MiB in flight.
    const served = s.metrics.counts().ops.read.requests;
    expect(served).toBeGreaterThan(0);
    expect(served).toBeLessThan(60);
    c.socket.resume();
    const lens = new Map(Array.from({ length: n }, (_, i) => [BigInt(i), len] as [bigint, number]));
    const handles = new Set<bigint>();
    for (let i = 0; i < n; i++) {
      const r = await c.reply(lens);
      expect(r.errno).toBe(0);
      handles.add(r.handle);
    }
    expect(handles.size).toBe(n);
    c.end();
  }, 30_000);

  it('a client whose GO asked for block sizes gets EINVAL for requests off the 512-byte minimum; one that did not is served', async () => {
    const s = await serve();
    const c = await RawNbd.connect(s.port);
    await c.go(); // asks for NBD_INFO_BLOCK_SIZE: bound to minimum 512
    c.request(CMD.READ, 1n, 100, 512);
    expect((await c.reply()).errno).toBe(EINVAL);
    c.request(CMD.WRITE, 2n, 0, 100, { payload: Buffer.alloc(100, 0xee) });
    expect((await c.reply()).errno).toBe(EINVAL);
    c.request(CMD.WRITE_ZEROES, 3n, 512, 1000);
    expect((await c.reply()).errno).toBe(EINVAL);
    c.request(CMD.READ, 4n, 0, 512);
    const r = await c.reply(new Map([[4n, 512]]));
    expect(r.errno).toBe(0);
    expect(r.data!.every((x) => x === 0)).toBe(true); // the refused write's payload was skipped, not written
    c.end();
    const free = await RawNbd.connect(s.port);
    await free.greet();
    free.option(OPT.EXPORT_NAME); // no block size negotiation: any byte range
    await free.read(10);
    free.request(CMD.READ, 5n, 100, 7);
    expect((await free.reply(new Map([[5n, 7]]))).errno).toBe(0);
    free.end();
  });

  it('wrong request magic closes that connection only', async () => {
    const s = await serve();
    const bad = await RawNbd.connect(s.port);
    const good = await RawNbd.connect(s.port);
    await bad.go();
    await good.go();
    bad.request(CMD.READ, 1n, 0, 512, { magic: 0xdeadbeef });
    expect(await bad.closesWithin(2000)).toBe(true);
    good.request(CMD.READ, 2n, 0, 512);
    expect((await good.reply(new Map([[2n, 512]]))).errno).toBe(0);
    good.end();
  });

  it('a disconnect in the middle of a write payload writes nothing and the server goes on', async () => {
    const s = await serve();
    const c = await RawNbd.connect(s.port);
    await c.go();
    const h = Buffer.alloc(28);
    h.writeUInt32BE(0x25609513, 0);
    h.writeUInt16BE(CMD.WRITE, 6);
    h.writeBigUInt64BE(0n, 16);
    h.writeUInt32BE(65536, 24);
    c.write(Buffer.concat([h, Buffer.alloc(30000, 0xab)]));
    await new Promise((r) => setTimeout(r, 50));
    c.end();
    await roundTrip(s.port, 1024 * 1024, 7);
    const back = new Uint8Array(65536);
    await s.img.read(back, 0);
    expect(back.every((x) => x === 0)).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(s.metrics.counts().protocolErrors['disconnect-mid-request']).toBe(1);
  });

  it('graceful stop answers the requests in flight, then closes', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const s = await serve({ wrapTarget: beforeReads(() => gate) });
    const c = await RawNbd.connect(s.port);
    await c.go();
    c.request(CMD.READ, 1n, 0, 512);
    await new Promise((r) => setTimeout(r, 50));
    const stopped = s.server.stop();
    c.request(CMD.WRITE, 2n, 0, 512, { payload: pattern(512, 2) });
    await new Promise((r) => setTimeout(r, 50));
    release();
    const lengths = new Map([[1n, 512]]);
    const replies = [await c.reply(lengths), await c.reply(lengths)];
    expect(replies.find((r) => r.handle === 1n)?.errno).toBe(0);
    expect(replies.find((r) => r.handle === 2n)?.errno).toBe(ESHUTDOWN);
    await stopped;
    expect(await c.closesWithin(3000)).toBe(true);
  });
});
