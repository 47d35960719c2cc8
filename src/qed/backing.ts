/** Backing files: what an image reads unallocated clusters from (raw file or QED image). */
import type { BlockBackend, Origin } from '../io/backend.js';

/** What an image reads unallocated clusters from: a raw file or another QED image. */
export interface BackingDevice {
  readonly description: string;
  /** Virtual size in bytes; reads past it return zeros. */
  readonly size: number;
  /** `origin`: as BlockBackend's, passed on to the requests the read makes. */
  read(buf: Uint8Array, offset: number, origin?: Origin): Promise<void>;
  close(): Promise<void>;
}

/** A raw backing file: its bytes are the virtual disk. */
export class RawBacking implements BackingDevice {
  private constructor(
    private readonly backend: BlockBackend,
    readonly size: number,
  ) {}

  static async open(backend: BlockBackend): Promise<RawBacking> {
    return new RawBacking(backend, await backend.size());
  }

  get description(): string {
    return `${this.backend.name} (raw)`;
  }

  async read(buf: Uint8Array, offset: number, origin?: Origin): Promise<void> {
    await readClipped(buf, offset, this.size, (b, o) => this.backend.read(b, o, 'backing_read', origin));
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}

/** Read [offset, offset + buf.length) where only [0, size) exists; the rest is zeros. */
export async function readClipped(
  buf: Uint8Array,
  offset: number,
  size: number,
  read: (b: Uint8Array, o: number) => Promise<void>,
): Promise<void> {
  const inside = Math.max(0, Math.min(buf.length, size - offset));
  if (inside < buf.length) buf.fill(0, inside);
  if (inside > 0) await read(buf.subarray(0, inside), offset);
}
