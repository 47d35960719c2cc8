/**
 * O_DIRECT's alignment probe, shared by the two paths that carry cache: none (ring-pool.ts and
 * uv-direct.ts): where in a block of memory a 4 KiB-aligned buffer starts, and the smallest
 * offset and length alignment the device takes.
 */
import fs from 'node:fs';

/** Extra bytes a memory block needs so that an aligned buffer fits wherever the allocator put it. */
export const ALIGN_PAD = 4096;

/** Linux's __O_TMPFILE (with O_DIRECTORY it is O_TMPFILE); Node does not export it. */
const O_TMPFILE = 0o20000000;

export interface DirectAlignment {
  /** Offset into the memory block where 4 KiB-aligned memory starts. */
  base: number;
  /** O_DIRECT offset and length alignment (the device's logical block size). */
  align: number;
}

/**
 * Writes 4 KiB from each 16-byte step of `mem` (from `scratch` on, which must have 8 KiB + ALIGN_PAD
 * bytes free) with O_DIRECT until the kernel accepts the buffer; then tries 512, 1024 and 2048
 * bytes, as QEMU probes its request alignment. The writes go to an unnamed temporary file in
 * `dir` (O_TMPFILE: the same filesystem, nothing left behind); where the filesystem has no
 * O_TMPFILE, reads of `fd`'s first 4 KiB stand in, if it has that much. Null when no step worked.
 * The base returned is relative to `scratch`'s alignment, which is the same for every offset
 * with the same remainder mod 4096: callers use it for the whole block.
 */
export function probeDirectAlignment(mem: ArrayBufferLike, scratch: number, dir: string, fd: number): DirectAlignment | null {
  const c = fs.constants;
  let tmp = -1;
  try {
    tmp = fs.openSync(dir, O_TMPFILE | c.O_DIRECTORY | c.O_RDWR | c.O_DIRECT, 0o600);
  } catch {
    if (fs.fstatSync(fd).size < 4096) return null;
  }
  const tryIo = (off: number, len: number, at: number): boolean => {
    const view = new Uint8Array(mem, scratch + off, len);
    try {
      if (tmp >= 0) fs.writeSync(tmp, view, 0, len, at);
      else fs.readSync(fd, view, 0, len, at);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EINVAL') throw e;
      return false;
    }
  };
  try {
    for (let off = 0; off < ALIGN_PAD; off += 16) {
      if (!tryIo(off, 4096, 0)) continue;
      return { base: off, align: [512, 1024, 2048].find((a) => tryIo(off + a, a, a)) ?? 4096 };
    }
    return null;
  } finally {
    if (tmp >= 0) fs.closeSync(tmp);
  }
}
