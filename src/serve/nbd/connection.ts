/** One NBD client: handshake, then pipelined requests served concurrently, replies in completion order. */
import type { Socket } from 'node:net';
import { BackendError } from '../../io/backend.js';
import { QedUsageError } from '../../qed/errors.js';
import type { ServeObserver, ServeOp, ServeTarget } from '../target.js';
import { negotiate, NbdProtocolError, type ExportInfo } from './handshake.js';
import {
  BLOCK_MAX,
  CMD,
  CMD_FLAG_FUA,
  ERRNO,
  REPLY_FLAG_DONE,
  REPLY_TYPE,
  REQUEST_BYTES,
  REQUEST_MAGIC,
  commandName,
  SIMPLE_REPLY_MAGIC,
  STRUCTURED_REPLY_MAGIC,
  validCommandFlags,
  type ErrnoName,
} from './protocol.js';
import { ConnectionClosed, SocketReader } from './socket-reader.js';

export interface ConnectionOptions {
  handshakeTimeoutMs: number;
  /** Close a connection with no request in flight and no byte received for this long (0: never). */
  idleTimeoutMs: number;
  /** Requests of one connection served at once; reading pauses beyond it. */
  maxInFlight: number;
}

interface Request {
  flags: number;
  type: number;
  handle: Buffer;
  offset: number;
  length: number;
  payload: Buffer | null;
  /** Set when the request is refused before it reaches the engine. */
  refuse: { errno: ErrnoName; message: string } | null;
  startNs: bigint;
}

const MAX_SAFE_OFFSET = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A client that sends reads and never reads the replies must not make us hold them without bound
 * (120 pipelined 32 MiB reads took a server past 2.5 GB): no new request is taken while this much
 * reply data waits in the socket, nor a read that would take the reads in flight past the budget.
 */
export const REPLY_BUFFER_BYTES = 64 * 1024 * 1024;
export const READ_BYTES_IN_FLIGHT = 128 * 1024 * 1024;

/** A refusal or engine failure, carried to the reply. */
class RequestError extends Error {
  constructor(
    readonly errno: ErrnoName,
    message: string,
  ) {
    super(message);
  }
}

export class NbdConnection {
  private readonly reader: SocketReader;
  private structured = false;
  /** The minimum block size the client agreed to (1: none). */
  private alignment = 1;
  private inFlight = 0;
  private stopping = false;
  private drained: Array<() => void> = [];
  private slotFreed: (() => void) | null = null;
  /** Bytes of reads being served (their replies not yet written). */
  private readBytes = 0;
  /** Woken when reply data drains or a read completes (see REPLY_BUFFER_BYTES). */
  private roomMade: (() => void) | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  /** Replies written in this turn of the event loop, sent together by one uncork (see reply). */
  private corked = false;
  readonly peer: string;

  constructor(
    private readonly socket: Socket,
    private readonly target: ServeTarget,
    private readonly exp: ExportInfo,
    private readonly observer: ServeObserver,
    private readonly opts: ConnectionOptions,
  ) {
    this.peer = `${socket.remoteAddress}:${socket.remotePort}`;
    this.reader = new SocketReader(socket);
    socket.setNoDelay(true);
    socket.on('error', () => {}); // a reset by the peer ends the reads; nothing else to do
    socket.on('drain', () => this.wakeForRoom());
    socket.on('close', () => this.wakeForRoom());
  }

  /** The connection's whole life; never rejects. */
  async run(): Promise<void> {
    this.observer.connectionOpened('nbd');
    try {
      const timer = setTimeout(() => this.fail('handshake-timeout', `no transmission phase after ${this.opts.handshakeTimeoutMs} ms`), this.opts.handshakeTimeoutMs);
      let negotiated;
      try {
        negotiated = await negotiate(this.socket, this.reader, this.exp);
      } finally {
        clearTimeout(timer);
      }
      if (!negotiated || this.stopping) return;
      this.structured = negotiated.structured;
      this.alignment = negotiated.alignment;
      this.startIdleTimer();
      await this.serveRequests();
    } catch (err) {
      if (err instanceof NbdProtocolError) this.fail(err.kind, err.message);
      else if (err instanceof ConnectionClosed) {
        if (err.partial) this.observer.protocolError('nbd', 'disconnect-mid-request', `${this.peer}: ${err.message}`);
      } else this.fail('internal', String(err));
    } finally {
      if (this.idleTimer) clearInterval(this.idleTimer);
      await this.whenDrained();
      await this.close();
      this.observer.connectionClosed('nbd');
    }
  }

  /** Graceful stop: requests already received finish and are answered, later ones get ESHUTDOWN. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.whenDrained();
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  private fail(kind: string, message: string): void {
    this.observer.protocolError('nbd', kind, `${this.peer}: ${message}`);
    this.socket.destroy();
  }

  private async close(): Promise<void> {
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      this.socket.end(() => resolve());
      setTimeout(resolve, 1000).unref();
    });
    this.socket.destroy();
  }

  private startIdleTimer(): void {
    const idle = this.opts.idleTimeoutMs;
    if (idle <= 0) return;
    this.idleTimer = setInterval(() => {
      if (this.inFlight === 0 && Date.now() - this.reader.lastActivity > idle) this.fail('idle-timeout', `idle for ${idle} ms`);
    }, Math.min(1000, Math.max(10, idle / 4)));
    this.idleTimer.unref();
  }

  private async serveRequests(): Promise<void> {
    for (;;) {
      const h = await this.reader.read(REQUEST_BYTES);
      const startNs = process.hrtime.bigint();
      if (h.readUInt32BE(0) !== REQUEST_MAGIC) throw new NbdProtocolError('bad-magic', `request magic 0x${h.readUInt32BE(0).toString(16)} is not 0x25609513`);
      const off = h.readBigUInt64BE(16);
      const req: Request = {
        flags: h.readUInt16BE(4),
        type: h.readUInt16BE(6),
        handle: Buffer.from(h.subarray(8, 16)),
        offset: off > MAX_SAFE_OFFSET ? Number.MAX_SAFE_INTEGER : Number(off),
        length: h.readUInt32BE(24),
        payload: null,
        refuse: null,
        startNs,
      };
      if (req.type === CMD.DISC) return; // soft disconnect: in-flight requests finish in run()
      if (req.type === CMD.WRITE) {
        if (req.length > BLOCK_MAX) {
          // Read past the payload so the stream stays in step, then refuse.
          await this.reader.skip(req.length);
          req.refuse = { errno: 'EINVAL', message: `write of ${req.length} bytes is over the ${BLOCK_MAX}-byte maximum` };
        } else {
          req.payload = await this.reader.read(req.length);
        }
      }
      const badFlags = req.flags & ~validCommandFlags(req.type);
      if (badFlags && !req.refuse && opOf(req.type) !== 'other') {
        // After the payload, so a write's refusal keeps the stream in step.
        req.refuse = { errno: 'EINVAL', message: `command flags 0x${badFlags.toString(16)} are unknown or not valid for ${commandName(req.type)}` };
        this.observer.protocolError('nbd', 'unknown-command-flags', `${this.peer}: ${req.refuse.message}`);
      }
      const readBytes = req.type === CMD.READ && !req.refuse && req.length <= BLOCK_MAX ? req.length : 0;
      while (!this.socket.destroyed && (this.socket.writableLength > REPLY_BUFFER_BYTES || (this.readBytes > 0 && this.readBytes + readBytes > READ_BYTES_IN_FLIGHT))) {
        await new Promise<void>((r) => (this.roomMade = r));
      }
      this.readBytes += readBytes;
      this.inFlight++;
      this.observer.requestStarted('nbd');
      void this.serve(req, readBytes);
      if (this.inFlight >= this.opts.maxInFlight) await new Promise<void>((r) => (this.slotFreed = r));
    }
  }

  private wakeForRoom(): void {
    const r = this.roomMade;
    this.roomMade = null;
    r?.();
  }

  private async serve(req: Request, readBytes: number): Promise<void> {
    let data: Buffer | null = null;
    let error: RequestError | null = null;
    const op = opOf(req.type);
    try {
      data = await this.execute(req);
    } catch (err) {
      error = err instanceof RequestError ? err : engineError(err);
    }
    this.reply(req, data, error);
    this.readBytes -= readBytes;
    this.wakeForRoom();
    const ns = Number(process.hrtime.bigint() - req.startNs);
    this.observer.requestDone('nbd', op, error ? 0 : req.length, ns, error ? error.errno : null);
    if (op === 'other') this.observer.protocolError('nbd', 'unknown-command', `${this.peer}: unknown command ${req.type}`);
    this.inFlight--;
    if (this.slotFreed && this.inFlight < this.opts.maxInFlight) {
      const r = this.slotFreed;
      this.slotFreed = null;
      r();
    }
    if (this.inFlight === 0) for (const r of this.drained.splice(0)) r();
  }

  private async execute(req: Request): Promise<Buffer | null> {
    if (req.refuse) throw new RequestError(req.refuse.errno, req.refuse.message);
    if (this.stopping) throw new RequestError('ESHUTDOWN', 'server is shutting down');
    const t = this.target;
    const end = req.offset + req.length;
    const writes = req.type === CMD.WRITE || req.type === CMD.WRITE_ZEROES || req.type === CMD.TRIM;
    if (req.type !== CMD.READ && req.type !== CMD.FLUSH && !writes) throw new RequestError('EINVAL', `unknown command ${req.type}`);
    if (req.type === CMD.READ && req.length > BLOCK_MAX) throw new RequestError('EINVAL', `read of ${req.length} bytes is over the ${BLOCK_MAX}-byte maximum`);
    // proto.md: a client whose GO asked for block sizes MUST keep to them; the server SHOULD refuse with EINVAL (as qemu-nbd does).
    if (req.type !== CMD.FLUSH && (req.offset % this.alignment !== 0 || req.length % this.alignment !== 0)) {
      throw new RequestError('EINVAL', `offset ${req.offset} and length ${req.length} must be multiples of the ${this.alignment}-byte minimum block size this client agreed to`);
    }
    if (writes && t.readOnly) throw new RequestError('EPERM', 'the export is read-only');
    if (req.type !== CMD.FLUSH && end > t.size) {
      // proto.md: ENOSPC for a write past the end, EINVAL for a read or trim.
      const errno = req.type === CMD.WRITE || req.type === CMD.WRITE_ZEROES ? 'ENOSPC' : 'EINVAL';
      throw new RequestError(errno, `offset ${req.offset} + length ${req.length} is past the end of the export (${t.size} bytes)`);
    }
    switch (req.type) {
      case CMD.READ: {
        const buf = Buffer.allocUnsafe(req.length);
        await t.read(buf, req.offset);
        return buf;
      }
      case CMD.WRITE:
        await t.write(req.payload!, req.offset);
        break;
      case CMD.WRITE_ZEROES:
        await t.writeZeroes(req.offset, req.length);
        break;
      case CMD.TRIM:
        return null; // a hint the protocol lets us ignore: the data stays readable as it was
      case CMD.FLUSH:
        if (!t.readOnly) await t.flush();
        return null;
    }
    if (req.flags & CMD_FLAG_FUA) await t.flush();
    return null;
  }

  private reply(req: Request, data: Buffer | null, error: RequestError | null): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    // One write syscall per reply was a quarter of a serve profile under fio (docs/profiling.md):
    // replies completed in one turn go out in one writev.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      setImmediate(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    const errno = error ? ERRNO[error.errno] : 0;
    if (this.structured && req.type === CMD.READ) {
      if (error) {
        const msg = Buffer.from(error.message.slice(0, 4096));
        const h = chunkHeader(REPLY_TYPE.ERROR, req.handle, 6 + msg.length, 6 + msg.length);
        h.writeUInt32BE(errno, CHUNK_HEADER_BYTES);
        h.writeUInt16BE(msg.length, CHUNK_HEADER_BYTES + 4);
        msg.copy(h, CHUNK_HEADER_BYTES + 6);
        this.socket.write(h);
      } else if (data!.length === 0) {
        // OFFSET_DATA must carry at least one byte: a zero-length read is answered with NONE.
        this.socket.write(chunkHeader(REPLY_TYPE.NONE, req.handle, 0, 0));
      } else {
        const h = chunkHeader(REPLY_TYPE.OFFSET_DATA, req.handle, 8 + data!.length, 8);
        h.writeBigUInt64BE(BigInt(req.offset), CHUNK_HEADER_BYTES);
        this.socket.write(h);
        this.socket.write(data!);
      }
      return;
    }
    const h = Buffer.alloc(16);
    h.writeUInt32BE(SIMPLE_REPLY_MAGIC, 0);
    h.writeUInt32BE(errno, 4);
    req.handle.copy(h, 8);
    this.socket.write(h);
    if (data && !error) this.socket.write(data);
  }

  private whenDrained(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((r) => this.drained.push(r));
  }
}

const CHUNK_HEADER_BYTES = 20;

/** A structured reply chunk's header, with `room` zeroed bytes after it for the caller's payload. */
function chunkHeader(type: number, handle: Buffer, length: number, room: number): Buffer {
  const h = Buffer.alloc(CHUNK_HEADER_BYTES + room);
  h.writeUInt32BE(STRUCTURED_REPLY_MAGIC, 0);
  h.writeUInt16BE(REPLY_FLAG_DONE, 4);
  h.writeUInt16BE(type, 6);
  handle.copy(h, 8);
  h.writeUInt32BE(length, 16);
  return h;
}

function opOf(type: number): ServeOp {
  switch (type) {
    case CMD.READ:
      return 'read';
    case CMD.WRITE:
      return 'write';
    case CMD.WRITE_ZEROES:
      return 'zero';
    case CMD.TRIM:
      return 'trim';
    case CMD.FLUSH:
      return 'flush';
    default:
      return 'other';
  }
}

/** An engine failure as an errno the client understands. */
function engineError(err: unknown): RequestError {
  const msg = err instanceof Error ? err.message : String(err);
  if (err instanceof QedUsageError) return new RequestError('EINVAL', msg);
  if (err instanceof BackendError && err.code in ERRNO) return new RequestError(err.code as ErrnoName, msg);
  return new RequestError('EIO', msg);
}
