/** What the servers need from an image (QedImage's public API fits), and what they report. */

/** A block device served to clients: the engine's image, through its public methods only. */
export interface ServeTarget {
  readonly size: number;
  readonly readOnly: boolean;
  read(buf: Uint8Array, offset: number): Promise<void>;
  write(buf: Uint8Array, offset: number): Promise<void>;
  writeZeroes(offset: number, length: number): Promise<void>;
  flush(): Promise<void>;
}

/** Client request kinds, for metrics: trim is accepted and does nothing (see docs/serve.md); other: unknown commands. */
export const SERVE_OPS = ['read', 'write', 'zero', 'trim', 'flush', 'other'] as const;
export type ServeOp = (typeof SERVE_OPS)[number];
export type Protocol = 'nbd' | 'http';

/** Told of every connection and request, by both front ends. */
export interface ServeObserver {
  connectionOpened(p: Protocol): void;
  connectionClosed(p: Protocol): void;
  /** A request was received (every requestDone has one before it). */
  requestStarted(p: Protocol): void;
  /** A request finished: `error` is an errno name (EINVAL, ...) or null; latency from receipt to reply. */
  requestDone(p: Protocol, op: ServeOp, bytes: number, latencyNs: number, error: string | null): void;
  /** A client broke the protocol or timed out (`kind`, e.g. "bad-magic"): its connection is closed, or (unknown-command) the request refused. */
  protocolError(p: Protocol, kind: string, detail: string): void;
}

export const NO_OBSERVER: ServeObserver = {
  connectionOpened: () => {},
  connectionClosed: () => {},
  requestStarted: () => {},
  requestDone: () => {},
  protocolError: () => {},
};
