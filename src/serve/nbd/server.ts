/** The NBD listener: one export (the served image), many connections sharing it, a graceful stop. */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { listenOn } from '../listen.js';
import { NO_OBSERVER, type ServeObserver, type ServeTarget } from '../target.js';
import { NbdConnection, type ConnectionOptions } from './connection.js';
import type { ExportInfo } from './handshake.js';
import { TF } from './protocol.js';

export interface NbdServerOptions extends Partial<ConnectionOptions> {
  target: ServeTarget;
  /** The export's name ("" is the default export clients get without naming one). */
  exportName?: string;
  description?: string;
  observer?: ServeObserver;
}

export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 600_000;

/**
 * Export flags. CAN_MULTI_CONN holds: every connection drives the one engine, so a flush on any
 * connection makes every write completed before it durable, whichever connection sent it.
 */
function exportFlags(readOnly: boolean): number {
  const f = TF.HAS_FLAGS | TF.SEND_FLUSH | TF.SEND_FUA | TF.SEND_TRIM | TF.SEND_WRITE_ZEROES | TF.CAN_MULTI_CONN;
  return readOnly ? f | TF.READ_ONLY : f;
}

export class NbdServer {
  private readonly server: Server;
  private readonly connections = new Set<NbdConnection>();
  private readonly running = new Set<Promise<void>>();
  private readonly exp: ExportInfo;
  private readonly connOpts: ConnectionOptions;
  private readonly observer: ServeObserver;

  constructor(opts: NbdServerOptions) {
    this.exp = {
      name: opts.exportName ?? '',
      description: opts.description ?? 'qed-bench',
      size: opts.target.size,
      flags: exportFlags(opts.target.readOnly),
    };
    this.connOpts = {
      handshakeTimeoutMs: opts.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
      idleTimeoutMs: opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      maxInFlight: opts.maxInFlight ?? 64,
    };
    this.observer = opts.observer ?? NO_OBSERVER;
    this.server = createServer((s) => this.accept(s, opts.target));
  }

  listen(host: string, port: number): Promise<AddressInfo> {
    return listenOn(this.server, host, port);
  }

  /** Stop accepting, let every connection finish what it received, close them all. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    await Promise.all([...this.connections].map((c) => c.stop()));
    await Promise.all([...this.running]);
    await closed;
  }

  private accept(socket: Socket, target: ServeTarget): void {
    const c = new NbdConnection(socket, target, this.exp, this.observer, this.connOpts);
    this.connections.add(c);
    const p = c.run().finally(() => {
      this.connections.delete(c);
      this.running.delete(p);
    });
    this.running.add(p);
  }
}
