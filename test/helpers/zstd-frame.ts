/** zstd frames built by hand (raw blocks, no zstd binary needed), for the .zst reader's tests. */
import { Xxh64 } from '../../src/util/xxh64.js';

/** A frame of raw blocks, one per part, with a content checksum unless `checksum` is null (a number: that value stored). */
export function zstdFrame(parts: string[], checksum: number | null | 'right' = 'right'): Buffer {
  const fhd = checksum === null ? 0x00 : 0x04; // no content size, not single segment, checksum flag
  const blocks = parts.map((p, i) => {
    const h = Buffer.alloc(3);
    h.writeUIntLE((p.length << 3) | (i === parts.length - 1 ? 1 : 0), 0, 3);
    return Buffer.concat([h, Buffer.from(p)]);
  });
  const sum = Buffer.alloc(checksum === null ? 0 : 4);
  if (checksum !== null) sum.writeUInt32LE(checksum === 'right' ? new Xxh64().update(Buffer.from(parts.join(''))).digest()[1] : checksum);
  return Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, fhd, 0x50]), ...blocks, sum]);
}

/** A frame of `blocks` RLE blocks of 128 KiB each ('0'), no checksum: 4 bytes each, 128 KiB out each. */
export function zstdRleBomb(blocks: number): Buffer {
  const parts = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58])];
  for (let i = 0; i < blocks; i++) {
    const h = Buffer.alloc(4, 0x30);
    h.writeUIntLE(((128 * 1024) << 3) | (1 << 1) | (i === blocks - 1 ? 1 : 0), 0, 3);
    parts.push(h);
  }
  return Buffer.concat(parts);
}
