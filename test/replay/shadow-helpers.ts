import { ShadowModel } from '../../src/replay/shadow.js';
import { SECTOR, stampBuffer } from '../../src/replay/stamp.js';

export { SECTOR };

/** What a test puts in a sector: a write's stamp, zeros, or bytes that are neither. */
export type Content = { stamp: number } | 'zeros' | 'garbage';

/** Sector contents for a buffer at virtual byte `offset`, one entry per sector. */
export function bytesOf(offset: number, contents: Content[], seed: number): Uint8Array {
  const buf = new Uint8Array(contents.length * SECTOR);
  contents.forEach((c, i) => {
    const sub = buf.subarray(i * SECTOR, (i + 1) * SECTOR);
    if (c === 'garbage') sub.fill(0xa5);
    else if (c !== 'zeros') stampBuffer(sub, offset + i * SECTOR, c.stamp, seed);
  });
  return buf;
}

/** A plain byte array standing in for the virtual disk. */
export class Disk {
  readonly bytes: Uint8Array;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
  }
  put(data: Uint8Array, offset: number): void {
    this.bytes.set(data, offset);
  }
  zero(offset: number, length: number): void {
    this.bytes.fill(0, offset, offset + length);
  }
  readonly read = async (buf: Uint8Array, offset: number): Promise<void> => {
    buf.set(this.bytes.subarray(offset, offset + buf.length));
  };
}

/** A completed write (or zero write) applied to `disk`; returns its seq. */
export function writeDone(shadow: ShadowModel, disk: Disk, offset: number, length: number, zero = false): number {
  const w = shadow.beginWrite(offset, length, zero);
  if (zero) disk.zero(offset, length);
  else disk.put(w.data!, offset);
  shadow.endWrite(w.seq, true);
  return w.seq;
}

/** A complete read of `length` bytes at `offset` returning `buf`; the violations it found. */
export function readNow(shadow: ShadowModel, offset: number, buf: Uint8Array): number {
  const t = shadow.beginRead(offset, buf.length);
  return shadow.endRead(t, buf);
}
