/**
 * The expected content of a virtual disk, kept sparsely: 64 KiB chunks that were written,
 * over a base (zeros, or the backing file's content). Tracks which bytes came from textured
 * (random) writes so constant-pattern regions can be verified with `qemu-io read -P`.
 */
import fsp from 'node:fs/promises';
import { forEachChunk } from '../../src/util/chunks.js';
import type { PatternRegion } from '../helpers/qemu.js';

export const CHUNK = 65536;

/** Fills `dst` with the base content at virtual offset `off`. */
export type BaseFill = (dst: Uint8Array, off: number) => void;

export const zeroBase: BaseFill = (dst) => dst.fill(0);

interface Chunk {
  data: Uint8Array;
  /** 1 where the byte came from a textured write. */
  textured: Uint8Array;
}

export class SparseModel {
  private readonly chunks = new Map<number, Chunk>();

  constructor(
    readonly size: number,
    private readonly base: BaseFill = zeroBase,
    /** Bytes [0, baseExtent) may be non-zero in the base (the backing file's size). */
    readonly baseExtent = 0,
  ) {}

  write(off: number, data: Uint8Array, textured = false): void {
    this.assertRange(off, data.length);
    this.each(off, data.length, (c, at, done, n) => {
      c.data.set(data.subarray(done, done + n), at);
      c.textured.fill(textured ? 1 : 0, at, at + n);
    });
  }

  zero(off: number, len: number): void {
    this.assertRange(off, len);
    this.each(off, len, (c, at, _done, n) => {
      c.data.fill(0, at, at + n);
      c.textured.fill(0, at, at + n);
    });
  }

  read(off: number, len: number): Uint8Array {
    this.assertRange(off, len);
    const out = new Uint8Array(len);
    forEachChunk(off, len, CHUNK, (idx, at, done, n) => {
      const c = this.chunks.get(idx);
      if (c) out.set(c.data.subarray(at, at + n), done);
      else this.base(out.subarray(done, done + n), off + done);
    });
    return out;
  }

  isTouched(pos: number): boolean {
    return this.chunks.has(Math.floor(pos / CHUNK));
  }

  /** Merged [start, end) ranges of the chunks ever written, clipped to the disk. */
  touchedRanges(): Array<[number, number]> {
    const idx = [...this.chunks.keys()].sort((a, b) => a - b);
    const out: Array<[number, number]> = [];
    for (const i of idx) {
      const s = i * CHUNK;
      const e = Math.min(s + CHUNK, this.size);
      const last = out[out.length - 1];
      if (last && last[1] === s) last[1] = e;
      else out.push([s, e]);
    }
    return out;
  }

  /**
   * Maximal runs of one byte value (excluding textured bytes) inside `ranges`: what
   * `qemu-io read -P` can verify.
   */
  constantRuns(ranges: Array<[number, number]>): PatternRegion[] {
    const out: PatternRegion[] = [];
    for (const [s, e] of ranges) {
      for (let off = s; off < e; off += 1 << 22) {
        const len = Math.min(1 << 22, e - off);
        const data = this.read(off, len);
        const tex = this.texturedMask(off, len);
        let i = 0;
        while (i < len) {
          if (tex[i]) {
            i++;
            continue;
          }
          const v = data[i];
          let j = i + 1;
          while (j < len && !tex[j] && data[j] === v) j++;
          const prev = out[out.length - 1];
          if (prev && prev.pattern === v && prev.offset + prev.length === off + i) prev.length += j - i;
          else out.push({ offset: off + i, length: j - i, pattern: v });
          i = j;
        }
      }
    }
    return out;
  }

  /** Maximal [start, end) runs of bytes that came from textured writes (and still do). */
  texturedRanges(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (const i of [...this.chunks.keys()].sort((a, b) => a - b)) {
      const t = this.chunks.get(i)!.textured;
      let j = 0;
      while (j < CHUNK) {
        if (!t[j]) {
          j++;
          continue;
        }
        let k = j + 1;
        while (k < CHUNK && t[k]) k++;
        const s = i * CHUNK + j;
        const last = out[out.length - 1];
        if (last && last[1] === s) last[1] = i * CHUNK + k;
        else out.push([s, i * CHUNK + k]);
        j = k;
      }
    }
    return out;
  }

  /** The expected disk as a sparse raw file (for `qemu-img compare`). */
  async writeRaw(path: string): Promise<void> {
    const fh = await fsp.open(path, 'w');
    try {
      await fh.truncate(this.size);
      const piece = 1 << 20;
      for (let off = 0; off < Math.min(this.baseExtent, this.size); off += piece) {
        const buf = this.read(off, Math.min(piece, this.size - off));
        if (buf.some((b) => b !== 0)) await fh.write(buf, 0, buf.length, off);
      }
      for (const [i, c] of this.chunks) {
        const s = i * CHUNK;
        const n = Math.min(CHUNK, this.size - s);
        await fh.write(c.data, 0, n, s);
      }
    } finally {
      await fh.close();
    }
  }

  private texturedMask(off: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    forEachChunk(off, len, CHUNK, (idx, at, done, n) => {
      const c = this.chunks.get(idx);
      if (c) out.set(c.textured.subarray(at, at + n), done);
    });
    return out;
  }

  private each(off: number, len: number, fn: (c: Chunk, at: number, done: number, n: number) => void): void {
    forEachChunk(off, len, CHUNK, (idx, at, done, n) => fn(this.chunk(idx), at, done, n));
  }

  private chunk(idx: number): Chunk {
    let c = this.chunks.get(idx);
    if (!c) {
      const data = new Uint8Array(CHUNK);
      const s = idx * CHUNK;
      this.base(data.subarray(0, Math.min(CHUNK, this.size - s)), s);
      c = { data, textured: new Uint8Array(CHUNK) };
      this.chunks.set(idx, c);
    }
    return c;
  }

  private assertRange(off: number, len: number): void {
    if (off < 0 || len < 0 || off + len > this.size) throw new RangeError(`model: ${off}+${len} outside disk of ${this.size}`);
  }
}
