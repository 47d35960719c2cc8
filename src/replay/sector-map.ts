/**
 * A sparse u32 per 512-byte sector of the virtual disk; 0 where nothing was set. Chunks are
 * allocated on first write, so memory follows the footprint of the workload, not the disk size.
 */
const CHUNK_BITS = 8;
const CHUNK = 1 << CHUNK_BITS; // sectors per chunk (128 KiB of disk, 1 KiB of memory: random small writes touch many)

export class SectorMap {
  private readonly chunks = new Map<number, Uint32Array>();

  get(sector: number): number {
    const c = this.chunks.get(Math.floor(sector / CHUNK));
    return c ? c[sector % CHUNK] : 0;
  }

  setRange(first: number, count: number, value: number): void {
    let s = first;
    const end = first + count;
    while (s < end) {
      const ci = Math.floor(s / CHUNK);
      let c = this.chunks.get(ci);
      if (!c) {
        c = new Uint32Array(CHUNK);
        this.chunks.set(ci, c);
      }
      const from = s - ci * CHUNK;
      const to = Math.min(CHUNK, end - ci * CHUNK);
      c.fill(value, from, to);
      s = ci * CHUNK + to;
    }
  }

  /** Copy values for [first, first + count) into `out`. */
  copy(first: number, count: number, out: Uint32Array): void {
    for (let i = 0; i < count; i++) out[i] = this.get(first + i);
  }

  /** Maximal runs of sectors with a non-zero value, in disk order. */
  *runs(): Generator<{ first: number; count: number }> {
    const keys = [...this.chunks.keys()].sort((a, b) => a - b);
    let runStart = -1;
    let runEnd = -1;
    for (const ci of keys) {
      const c = this.chunks.get(ci)!;
      for (let i = 0; i < CHUNK; i++) {
        if (c[i] === 0) continue;
        const s = ci * CHUNK + i;
        if (s === runEnd) {
          runEnd++;
        } else {
          if (runStart >= 0) yield { first: runStart, count: runEnd - runStart };
          runStart = s;
          runEnd = s + 1;
        }
      }
    }
    if (runStart >= 0) yield { first: runStart, count: runEnd - runStart };
  }

  /** Bytes of memory held (for reports of the shadow model's own footprint). */
  get bytes(): number {
    return this.chunks.size * CHUNK * 4;
  }
}
