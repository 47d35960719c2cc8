/** Reads exact byte counts from a socket as promises, pausing the socket while too much is buffered. */
import type { Socket } from 'node:net';

/** The peer closed (or the socket failed) before the bytes asked for arrived. */
export class ConnectionClosed extends Error {
  constructor(readonly partial: boolean) {
    super(partial ? 'connection closed in the middle of a message' : 'connection closed');
    this.name = 'ConnectionClosed';
  }
}

const HIGH_WATER = 64 * 1024 * 1024;

export class SocketReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private waiter: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;
  private ended = false;
  /** Time of the last byte received (ms, Date.now), for the idle timeout. */
  lastActivity = Date.now();

  constructor(private readonly socket: Socket) {
    socket.on('data', (b: Buffer) => {
      this.lastActivity = Date.now();
      this.chunks.push(b);
      this.buffered += b.length;
      if (this.buffered > HIGH_WATER) socket.pause();
      this.serve();
    });
    const end = (): void => {
      this.ended = true;
      this.serve();
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', end);
  }

  /** Exactly n bytes; rejects with ConnectionClosed when the peer goes away first. */
  read(n: number): Promise<Buffer> {
    if (this.waiter) throw new Error('SocketReader: one read at a time');
    if (n === 0) return Promise.resolve(Buffer.alloc(0));
    if (this.buffered >= n) return Promise.resolve(this.take(n));
    return new Promise((resolve, reject) => {
      this.waiter = { n, resolve, reject };
      this.serve();
    });
  }

  /** Read and drop n bytes without holding them all (a refused write's payload). */
  async skip(n: number): Promise<void> {
    while (n > 0) {
      const step = Math.min(n, 1 << 20);
      await this.read(step);
      n -= step;
    }
  }

  private serve(): void {
    const w = this.waiter;
    if (!w) return;
    if (this.buffered >= w.n) {
      this.waiter = null;
      w.resolve(this.take(w.n));
    } else if (this.ended) {
      this.waiter = null;
      w.reject(new ConnectionClosed(this.buffered > 0));
    }
  }

  private take(n: number): Buffer {
    let out: Buffer;
    const first = this.chunks[0];
    if (first.length === n) {
      out = first;
      this.chunks.shift();
    } else if (first.length > n) {
      out = first.subarray(0, n);
      this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let done = 0;
      while (done < n) {
        const c = this.chunks[0];
        const k = Math.min(c.length, n - done);
        c.copy(out, done, 0, k);
        done += k;
        if (k === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(k);
      }
    }
    this.buffered -= n;
    if (this.buffered <= HIGH_WATER / 2 && this.socket.isPaused()) this.socket.resume();
    return out;
  }
}
