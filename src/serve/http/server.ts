/** The HTTP front end: /metrics, /status, the live page, and /disk (GET with Range, PUT with Content-Range). */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ServeMetrics, StatsSource } from '../metrics.js';
import type { ServeTarget } from '../target.js';
import { listenOn } from '../listen.js';
import { LIVE_PAGE } from './page.js';
import { PrometheusExporter } from './prometheus.js';
import { parseContentRange, parseRange } from './range.js';
import { statusJson } from './status.js';

export const DEFAULT_PUT_LIMIT = 32 * 1024 * 1024;
/** GET bodies go out in pieces of this size, each read from the engine when the socket drains. */
const CHUNK = 1024 * 1024;

export interface HttpFrontOptions {
  target: ServeTarget;
  stats: StatsSource;
  metrics: ServeMetrics;
  /** Largest PUT body in bytes; more is refused with 413 before the body is read. */
  putLimit: number;
  config: () => Record<string, unknown>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export class HttpFront {
  private readonly server: Server;
  private readonly prom: PrometheusExporter;
  private readonly started = Date.now();
  private readonly sockets = new Set<Socket>();

  constructor(private readonly o: HttpFrontOptions) {
    this.prom = new PrometheusExporter(o.stats, this.started);
    o.metrics.listeners.push(this.prom);
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 120_000;
    this.server.keepAliveTimeout = 5_000;
    // CONNECT (and an Upgrade) bypass the request handler; without a listener Node drops the socket without a reply.
    const refuse = (_req: IncomingMessage, s: Duplex) => {
      s.end('HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD, PUT\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    };
    this.server.on('connect', refuse);
    this.server.on('upgrade', refuse);
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      o.metrics.connectionOpened('http');
      s.on('close', () => {
        this.sockets.delete(s);
        o.metrics.connectionClosed('http');
      });
    });
  }

  listen(host: string, port: number): Promise<AddressInfo> {
    return listenOn(this.server, host, port);
  }

  /** Stop accepting, let requests in flight finish (2 s at most), close every connection. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    this.server.closeIdleConnections();
    const timer = setTimeout(() => this.server.closeAllConnections(), 2000);
    await closed;
    clearTimeout(timer);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    try {
      if (path === '/disk') return await this.disk(req, res);
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, `${req.method} is not served on ${path}`, { allow: 'GET, HEAD' });
      if (path === '/') return send(res, 200, 'text/html; charset=utf-8', LIVE_PAGE);
      if (path === '/metrics') return send(res, 200, this.prom.registry.contentType, await this.prom.registry.metrics());
      if (path === '/status') return send(res, 200, 'application/json', `${JSON.stringify(statusJson(this.o.stats, this.o.metrics, this.o.config(), this.started), null, 2)}\n`);
      throw new HttpError(404, `nothing at ${path}: try /, /status, /metrics or /disk`);
    } catch (err) {
      const e = err instanceof HttpError ? err : new HttpError(500, err instanceof Error ? err.message : String(err));
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // A refused PUT's body is not read: close the connection rather than drain it.
      if (req.method === 'PUT' && !req.complete) res.setHeader('connection', 'close');
      send(res, e.status, 'text/plain; charset=utf-8', `${e.message}\n`, e.headers);
    }
  }

  private async disk(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' || req.method === 'HEAD') return this.get(req, res);
    if (req.method === 'PUT') return this.put(req, res);
    throw new HttpError(405, `${req.method} is not served on /disk`, { allow: this.o.target.readOnly ? 'GET, HEAD' : 'GET, HEAD, PUT' });
  }

  private async get(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const size = this.o.target.size;
    let start = 0;
    let end = size - 1;
    let status = 200;
    const header = req.headers.range;
    if (header !== undefined) {
      const r = parseRange(header, size);
      if (r.kind === 'malformed') throw new HttpError(400, `bad Range header: ${r.reason}`);
      if (r.kind === 'unsatisfiable') throw new HttpError(416, `range ${header} is outside the disk (${size} bytes)`, { 'content-range': `bytes */${size}` });
      ({ start, end } = r);
      status = 206;
      res.setHeader('content-range', `bytes ${start}-${end}/${size}`);
    }
    const length = end - start + 1;
    res.writeHead(status, { 'content-type': 'application/octet-stream', 'content-length': String(length), 'accept-ranges': 'bytes' });
    if (req.method === 'HEAD') return void res.end();
    const t0 = process.hrtime.bigint();
    this.o.metrics.requestStarted('http');
    let error: string | null = null;
    try {
      for (let pos = start; pos <= end; pos += CHUNK) {
        const buf = Buffer.allocUnsafe(Math.min(CHUNK, end + 1 - pos));
        await this.o.target.read(buf, pos);
        if (!res.write(buf)) await drainedOrClosed(res);
        if (res.destroyed) throw new Error('client went away');
      }
      res.end();
    } catch {
      error = 'EIO';
      res.destroy(); // the length was promised: a short body must not look complete
    } finally {
      this.o.metrics.requestDone('http', 'read', error ? 0 : length, Number(process.hrtime.bigint() - t0), error);
    }
  }

  private async put(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t = this.o.target;
    if (t.readOnly) throw new HttpError(403, 'the disk is served read-only', { allow: 'GET, HEAD' });
    const header = req.headers['content-range'];
    if (header === undefined) throw new HttpError(400, 'PUT /disk needs a Content-Range: bytes a-b/size header saying where the body goes');
    const r = parseContentRange(header, t.size);
    if ('reason' in r) throw new HttpError(400, `bad Content-Range header: ${r.reason}`);
    const length = r.end - r.start + 1;
    if (length > this.o.putLimit) throw new HttpError(413, `a PUT of ${length} bytes is over the ${this.o.putLimit}-byte limit`);
    if (r.end >= t.size) throw new HttpError(416, `Content-Range ${header} is outside the disk (${t.size} bytes)`, { 'content-range': `bytes */${t.size}` });
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) !== length) throw new HttpError(400, `Content-Length ${declared} does not match the ${length} bytes of Content-Range`);
    const t0 = process.hrtime.bigint();
    const body = await readBody(req, length);
    this.o.metrics.requestStarted('http');
    let error: string | null = null;
    try {
      await t.write(body, r.start);
    } catch (err) {
      error = 'EIO';
      throw err;
    } finally {
      this.o.metrics.requestDone('http', 'write', error ? 0 : length, Number(process.hrtime.bigint() - t0), error);
    }
    res.writeHead(204, { 'content-range': `bytes ${r.start}-${r.end}/${t.size}` });
    res.end();
  }
}

/** Exactly `length` bytes of body, or a 400 (more or fewer arrived). */
function readBody(req: IncomingMessage, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const body = Buffer.allocUnsafe(length);
    let got = 0;
    req.on('data', (c: Buffer) => {
      if (got + c.length > length) {
        req.removeAllListeners('data');
        reject(new HttpError(400, `the body is longer than the ${length} bytes of Content-Range`));
        return;
      }
      c.copy(body, got);
      got += c.length;
    });
    req.on('end', () => (got === length ? resolve(body) : reject(new HttpError(400, `the body has ${got} bytes, Content-Range says ${length}`))));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-store', ...headers });
  res.end(body);
}

/** The next 'drain' or 'close', whichever comes first; the other listener is removed (a long body would pile them up). */
function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve(); // 'close' may have fired already: it would never come again
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
