/** A raw NBD client for tests: speaks the wire format by hand so tests can break it on purpose. */
import { connect, type Socket } from 'node:net';

export const OPT = { EXPORT_NAME: 1, ABORT: 2, LIST: 3, STARTTLS: 5, INFO: 6, GO: 7, STRUCTURED_REPLY: 8, SET_META_CONTEXT: 10 };
export const CMD = { READ: 0, WRITE: 1, DISC: 2, FLUSH: 3, TRIM: 4, WRITE_ZEROES: 6 };
export const REP_ACK = 1;
export const REP_INFO = 3;
export const REP_ERR_UNSUP = 0x80000001;
export const REP_ERR_INVALID = 0x80000003;
export const REP_ERR_UNKNOWN = 0x80000006;

export interface Reply {
  handle: bigint;
  errno: number;
  data: Buffer | null;
  /** Structured: the chunk type (1 data, 32769 error); simple: null. */
  chunkType: number | null;
}

export class RawNbd {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;
  readonly whenClosed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on('data', (b) => {
      this.buf = Buffer.concat([this.buf, b]);
      for (const w of this.waiters.splice(0)) w();
    });
    this.whenClosed = new Promise((r) =>
      socket.on('close', () => {
        this.closed = true;
        for (const w of this.waiters.splice(0)) w();
        r();
      }),
    );
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<RawNbd> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new RawNbd(s)));
      s.once('error', reject);
    });
  }

  async read(n: number, timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.buf.length < n) {
      if (this.closed) throw new Error(`connection closed with ${this.buf.length}/${n} bytes`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${n} bytes`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Resolves true when the server closes the connection within the time. */
  async closesWithin(ms: number): Promise<boolean> {
    return Promise.race([this.whenClosed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
  }

  write(b: Buffer): void {
    this.socket.write(b);
  }

  end(): void {
    this.socket.destroy();
  }

  async greet(clientFlags = 3): Promise<number> {
    const h = await this.read(18);
    if (h.toString('latin1', 0, 8) !== 'NBDMAGIC' || h.toString('latin1', 8, 16) !== 'IHAVEOPT') throw new Error('bad greeting');
    const f = Buffer.alloc(4);
    f.writeUInt32BE(clientFlags);
    this.write(f);
    return h.readUInt16BE(16);
  }

  option(opt: number, data: Buffer = Buffer.alloc(0), magic = 'IHAVEOPT'): void {
    const h = Buffer.alloc(16);
    h.write(magic, 0, 'latin1');
    h.writeUInt32BE(opt, 8);
    h.writeUInt32BE(data.length, 12);
    this.write(Buffer.concat([h, data]));
  }

  async optionReply(): Promise<{ opt: number; type: number; data: Buffer }> {
    const h = await this.read(20);
    if (h.readBigUInt64BE(0) !== 0x3e889045565a9n) throw new Error('bad option reply magic');
    const len = h.readUInt32BE(16);
    return { opt: h.readUInt32BE(8), type: h.readUInt32BE(12), data: Buffer.from(await this.read(len)) };
  }

  /** NBD_OPT_INFO/GO data for an export name and info requests. */
  static infoRequest(name: string, infos: number[] = []): Buffer {
    const n = Buffer.from(name);
    const b = Buffer.alloc(4 + n.length + 2 + 2 * infos.length);
    b.writeUInt32BE(n.length, 0);
    n.copy(b, 4);
    b.writeUInt16BE(infos.length, 4 + n.length);
    infos.forEach((t, i) => b.writeUInt16BE(t, 6 + n.length + 2 * i));
    return b;
  }

  /** Greeting, optional structured replies, GO on the default export: returns size, flags and block sizes. */
  async go(structured = false): Promise<{ size: bigint; flags: number; blockSizes: number[] | null }> {
    await this.greet();
    if (structured) {
      this.option(OPT.STRUCTURED_REPLY);
      const r = await this.optionReply();
      if (r.type !== REP_ACK) throw new Error(`structured reply refused: ${r.type}`);
    }
    this.option(OPT.GO, RawNbd.infoRequest('', [3]));
    let size = -1n;
    let flags = -1;
    let blockSizes: number[] | null = null;
    for (;;) {
      const r = await this.optionReply();
      if (r.type === REP_ACK) break;
      if (r.type !== REP_INFO) throw new Error(`GO failed: reply type ${r.type} ${r.data.toString()}`);
      const t = r.data.readUInt16BE(0);
      if (t === 0) {
        size = r.data.readBigUInt64BE(2);
        flags = r.data.readUInt16BE(10);
      } else if (t === 3) blockSizes = [r.data.readUInt32BE(2), r.data.readUInt32BE(6), r.data.readUInt32BE(10)];
    }
    return { size, flags, blockSizes };
  }

  request(type: number, handle: bigint, offset: number, length: number, opts: { flags?: number; payload?: Buffer; magic?: number } = {}): void {
    const h = Buffer.alloc(28);
    h.writeUInt32BE(opts.magic ?? 0x25609513, 0);
    h.writeUInt16BE(opts.flags ?? 0, 4);
    h.writeUInt16BE(type, 6);
    h.writeBigUInt64BE(handle, 8);
    h.writeBigUInt64BE(BigInt(offset), 16);
    h.writeUInt32BE(length, 24);
    this.write(opts.payload ? Buffer.concat([h, opts.payload]) : h);
  }

  /** One reply; `readLengths` maps handles of reads to their length (simple replies carry no length). */
  async reply(readLengths: Map<bigint, number> = new Map()): Promise<Reply> {
    const magic = (await this.read(4)).readUInt32BE(0);
    if (magic === 0x67446698) {
      const h = await this.read(12);
      const errno = h.readUInt32BE(0);
      const handle = h.readBigUInt64BE(4);
      const len = readLengths.get(handle);
      const data = errno === 0 && len !== undefined ? Buffer.from(await this.read(len)) : null;
      return { handle, errno, data, chunkType: null };
    }
    if (magic === 0x668e33ef) {
      const h = await this.read(16);
      const type = h.readUInt16BE(2);
      const handle = h.readBigUInt64BE(4);
      const payload = Buffer.from(await this.read(h.readUInt32BE(12)));
      if (type === 1) return { handle, errno: 0, data: payload.subarray(8), chunkType: type };
      if (type === 32769) return { handle, errno: payload.readUInt32BE(0), data: payload.subarray(6), chunkType: type };
      return { handle, errno: 0, data: null, chunkType: type };
    }
    throw new Error(`bad reply magic 0x${magic.toString(16)}`);
  }
}
