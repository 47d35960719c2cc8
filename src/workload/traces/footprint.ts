/**
 * Distinct blocks touched, exactly, in bounded memory: a bitmap per 2^15 blocks of address space
 * that was touched (4 KiB per 128 MiB touched at 4 KiB blocks), not a set entry per block.
 */
const CHUNK_BITS = 15;
const CHUNK = 1 << CHUNK_BITS;

export class BlockSet {
  private readonly chunks = new Map<number, Uint32Array>();
  private n = 0;

  constructor(readonly blockSize: number) {}

  /** Mark every block that [offset, offset+length) touches. */
  addRange(offset: number, length: number): void {
    if (length <= 0) return;
    const first = Math.floor(offset / this.blockSize);
    const last = Math.floor((offset + length - 1) / this.blockSize);
    for (let b = first; b <= last; b++) this.add(b);
  }

  private add(block: number): void {
    const c = Math.floor(block / CHUNK);
    let bits = this.chunks.get(c);
    if (!bits) {
      bits = new Uint32Array(CHUNK / 32);
      this.chunks.set(c, bits);
    }
    const i = block - c * CHUNK;
    const w = i >>> 5;
    const m = 1 << (i & 31);
    if ((bits[w] & m) === 0) {
      bits[w] |= m;
      this.n++;
    }
  }

  get size(): number {
    return this.n;
  }
}

/**
 * The table stream of one request: a key per L2 table (of `span` bytes) that [offset, offset+length)
 * spans, devices kept apart as separate disks (device index in the high bits). `trace stats`' curve
 * and the cache-only sweep both count tables this way.
 */
export function forEachTableKey(device: number, offset: number, length: number, span: number, onTable: (key: number) => void): void {
  const last = Math.floor((offset + length - 1) / span);
  for (let k = Math.floor(offset / span); k <= last; k++) onTable(device * 2 ** 32 + k);
}
