/**
 * A .zst file walked frame by frame, beside fzstd: fzstd decodes blocks but never checks a
 * frame's content checksum, names no offset when a frame is cut, and reads bytes after the
 * last frame as the start of another. Here each frame's header and block headers are read to
 * find where it ends; its bytes go to a fresh fzstd decoder, its output through XXH64 when
 * the header sets Content_Checksum_flag, and the low 32 bits are compared with the 4 bytes
 * after its last block. Skippable frames are skipped; anything else between frames is named.
 */
import { Decompress } from 'fzstd';
import { Xxh64 } from '../../util/xxh64.js';
import { TraceError } from './types.js';

const ZSTD_MAGIC = 0xfd2fb528;
/** zstd decodes windows up to 2^27 bytes unless told --memory/--long; so do we (fzstd copies its whole window per block). */
export const MAX_WINDOW = 1 << 27;

/** A block decodes to at most 128 KiB (Block_Maximum_Size). */
const MAX_BLOCK = 128 * 1024;
/** Output decoded between two returns of push, at most (plus one block). */
const OUTPUT_BUDGET = 8 * 1024 * 1024;

type Part = 'magic' | 'skippable size' | 'skippable frame' | 'frame header' | 'block header' | 'block' | 'checksum';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

export class ZstdFrames {
  private part: Part = 'magic';
  /** Bytes of the current fixed-size part collected so far (headers straddle chunks). */
  private readonly head = Buffer.alloc(18);
  private headLength = 0;
  /** Bytes still to pass of a block body or skippable frame. */
  private remaining = 0;
  private frameStart = 0;
  private blocks = 0;
  private lastBlock = false;
  private decoder: Decompress | null = null;
  private hash: Xxh64 | null = null;
  private frameBytes = 0;
  /** Most bytes the blocks passed since the caller last took the output can decode to. */
  private budget = 0;
  /** File offset of the next byte. */
  private at = 0;

  constructor(
    private readonly file: string,
    private readonly emit: (b: Buffer) => void,
  ) {}

  /**
   * Reads chunk[from..] until its end, or until the blocks passed may decode to OUTPUT_BUDGET
   * bytes (then at a block's end): returns where it stopped, so the caller can take the output
   * before pushing the rest (4 bytes of RLE block decode to 128 KiB: a 64 KiB file, to 2 GB).
   */
  push(chunk: Buffer, from = 0): number {
    let pos = from;
    // Where in this chunk the current frame's bytes start (null: not inside a zstd frame).
    let span: number | null = this.decoder ? from : null;
    const endFrame = (stored: number | null): void => {
      this.feed(chunk.subarray(span!, pos));
      span = null;
      this.frameEnd(stored);
    };
    while (pos < chunk.length) {
      if (this.part === 'block' || this.part === 'skippable frame') {
        const take = Math.min(this.remaining, chunk.length - pos);
        pos += take;
        this.remaining -= take;
        if (this.remaining === 0 && this.bodyDone()) endFrame(null);
        if (this.remaining === 0 && this.budget >= OUTPUT_BUDGET) break;
        continue;
      }
      const want = this.headSize();
      const take = Math.min(want - this.headLength, chunk.length - pos);
      chunk.copy(this.head, this.headLength, pos, pos + take);
      this.headLength += take;
      pos += take;
      if (this.headLength < want) break;
      const end = this.at + pos;
      if (this.part === 'frame header') {
        if (this.headLength < this.frameHeaderSize()) continue; // the descriptor byte said how long the rest is
        this.startFrame();
      } else if (this.part === 'magic') {
        if (this.magic(end - 4)) span = pos;
      } else if (this.part === 'checksum') {
        this.part = 'magic';
        endFrame(this.head.readUInt32LE(0));
      } else if (this.part === 'skippable size') {
        this.remaining = this.head.readUInt32LE(0);
        this.part = this.remaining ? 'skippable frame' : 'magic';
      } else if (this.blockHeader(end - 3)) {
        endFrame(null);
      }
      this.headLength = 0;
    }
    if (span !== null) this.feed(chunk.subarray(span, pos));
    this.at += pos - from;
    if (this.budget >= OUTPUT_BUDGET) this.budget = 0;
    return pos;
  }

  /** At the end of the file: a frame cut short is named with where it started. */
  end(): void {
    if (this.part === 'magic' && this.headLength === 0) return;
    if (this.part === 'magic') {
      const n = this.headLength;
      throw new TraceError(this.file, `byte offset ${this.at - n}: ${n} trailing byte${n === 1 ? '' : 's'} after the last zstd frame (${hex(this.head.subarray(0, n))}), too few for another frame; the file is corrupt or has something appended`);
    }
    const inside =
      this.part === 'skippable size' || this.part === 'skippable frame'
          ? `the skippable frame that starts at byte offset ${this.frameStart}`
          : `the frame that starts at byte offset ${this.frameStart}, in its ${this.part === 'block' || this.part === 'block header' ? `block ${this.blocks + (this.part === 'block header' ? 1 : 0)} ${this.part === 'block' ? 'data' : 'header'}` : this.part}`;
    throw new TraceError(this.file, `truncated zstd data: the file ends at byte offset ${this.at} inside ${inside}; the trace was read up to there`);
  }

  private headSize(): number {
    switch (this.part) {
      case 'magic':
      case 'skippable size':
      case 'checksum':
        return 4;
      case 'block header':
        return 3;
      default:
        return this.frameHeaderSize();
    }
  }

  /** The frame header after the magic: 1 descriptor byte, then what it says follows. */
  private frameHeaderSize(): number {
    if (this.headLength === 0) return 1;
    const fhd = this.head[0];
    const single = (fhd >> 5) & 1;
    const fcs = [single, 2, 4, 8][fhd >> 6];
    return 1 + (single ? 0 : 1) + [0, 1, 2, 4][fhd & 3] + fcs;
  }

  /** Four bytes at offset `start` read as a frame's magic; true when a zstd frame starts. */
  private magic(start: number): boolean {
    const m = this.head.readUInt32LE(0);
    this.frameStart = start;
    if (m === ZSTD_MAGIC) {
      this.part = 'frame header';
      this.frameBytes = 0;
      this.blocks = 0;
      this.hash = null;
      this.decoder = new Decompress((data) => {
        this.frameBytes += data.length;
        this.hash?.update(data);
        this.emit(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
      });
      this.feed(Buffer.from(this.head.subarray(0, 4)));
      return true;
    }
    if ((m & 0xfffffff0) === 0x184d2a50) {
      this.part = 'skippable size';
      return false;
    }
    const what = start === 0 ? 'expected zstd data' : 'expected another zstd frame or the end of the file after the frame that ends there (trailing bytes that are not zstd)';
    throw new TraceError(this.file, `byte offset ${start}: ${what}; found ${hex(this.head.subarray(0, 4))}, not a zstd frame magic number (28 b5 2f fd)`);
  }

  /** A block header that starts at file offset `start`: true when it is the last, empty block of a frame with no checksum. */
  private blockHeader(start: number): boolean {
    const b = this.head[0] | (this.head[1] << 8) | (this.head[2] << 16);
    this.blocks++;
    this.lastBlock = (b & 1) === 1;
    const type = (b >> 1) & 3;
    if (type === 3) throw new TraceError(this.file, `corrupt zstd data: block ${this.blocks} of the frame at byte offset ${this.frameStart} has the reserved block type (its header is at byte offset ${start})`);
    this.remaining = type === 1 ? 1 : b >>> 3;
    this.budget += type === 0 ? this.remaining : type === 1 ? b >>> 3 : MAX_BLOCK;
    this.part = 'block';
    return this.remaining === 0 && this.bodyDone();
  }

  /** The frame header is whole: refuse what fzstd would take badly, and note whether a checksum follows. */
  private startFrame(): void {
    const n = this.headLength;
    const fhd = this.head[0];
    if (fhd & 8) throw new TraceError(this.file, `corrupt zstd data: the frame at byte offset ${this.frameStart} sets a reserved bit of its header (byte offset ${this.frameStart + 4})`);
    let window: number;
    if ((fhd >> 5) & 1) {
      // single segment: the window is the content size, the header's last 1, 2 (+256), 4 or 8 bytes
      const fcsBytes = [1, 2, 4, 8][fhd >> 6];
      window = fcsBytes === 8 ? Number(this.head.readBigUInt64LE(n - 8)) : this.head.readUIntLE(n - fcsBytes, fcsBytes) + (fcsBytes === 2 ? 256 : 0);
    } else {
      const wd = this.head[1];
      const base = 2 ** (10 + (wd >> 3));
      window = base + (base / 8) * (wd & 7);
    }
    if (window > MAX_WINDOW) {
      throw new TraceError(this.file, `the zstd frame at byte offset ${this.frameStart} needs a ${window}-byte window, more than the ${MAX_WINDOW} (128 MiB) zstd decodes without --memory; decompress it with zstd -d --memory=... and give the plain file`);
    }
    this.hash = (fhd >> 2) & 1 ? new Xxh64() : null;
    this.part = 'block header';
  }

  /** A block body (or skippable frame) is whole: true when that ends a frame with no checksum. */
  private bodyDone(): boolean {
    if (this.part === 'skippable frame' || !this.lastBlock) {
      this.part = this.part === 'skippable frame' ? 'magic' : 'block header';
      return false;
    }
    this.part = this.hash ? 'checksum' : 'magic';
    return this.part === 'magic';
  }

  private feed(b: Uint8Array): void {
    try {
      this.decoder!.push(b);
    } catch (err) {
      throw new TraceError(this.file, `corrupt zstd data in the frame at byte offset ${this.frameStart} (${(err as Error).message}); the trace was read up to byte offset ${this.at}`);
    }
  }

  private frameEnd(stored: number | null): void {
    try {
      this.decoder!.push(new Uint8Array(0), true);
    } catch (err) {
      throw new TraceError(this.file, `corrupt zstd data in the frame at byte offset ${this.frameStart} (${(err as Error).message}); its blocks end before the decoder expected`);
    }
    this.decoder = null;
    if (stored === null || !this.hash) return;
    const got = this.hash.digest()[1];
    this.hash = null;
    if (got !== stored) {
      const h = (x: number) => `0x${x.toString(16).padStart(8, '0')}`;
      throw new TraceError(this.file, `zstd content checksum mismatch in the frame at byte offset ${this.frameStart}: the frame stores ${h(stored)}, its ${this.frameBytes} decompressed bytes hash to ${h(got)} (XXH64, low 32 bits); the file is corrupt`);
    }
  }
}
