/**
 * The .zst frame walker and its XXH64: published hash values, zstd's own checksums, frames
 * built by hand (raw blocks) fed in every chunking, and each way a frame can be wrong named
 * with its byte offset.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Xxh64 } from '../../../src/util/xxh64.js';
import { findOnPath } from '../../../src/util/find-on-path.js';
import { ZstdFrames } from '../../../src/workload/traces/zstd-frames.js';
import { zstdFrame as frame, zstdRleBomb } from '../../helpers/zstd-frame.js';

const hex = ([h, l]: [number, number]) => h.toString(16).padStart(8, '0') + l.toString(16).padStart(8, '0');
const xxh = (b: Uint8Array) => new Xxh64().update(b).digest();

const skippable = (n: number) => Buffer.concat([Buffer.from([0x5a, 0x2a, 0x4d, 0x18]), Buffer.from(Uint32Array.of(n).buffer), Buffer.alloc(n, 7)]);

/** Everything the walker emits for `file` pushed in chunks of `step` bytes. */
function walk(file: Buffer, step = file.length): string {
  let out = '';
  const z = new ZstdFrames('t.zst', (b) => (out += b.toString()));
  for (let i = 0; i < file.length; i += step) z.push(file.subarray(i, i + step));
  z.end();
  return out;
}

describe('XXH64', () => {
  it('gives the published values (seed 0)', () => {
    expect(hex(xxh(new Uint8Array(0)))).toBe('ef46db3751d8e999');
    expect(hex(xxh(Buffer.from('a')))).toBe('d24ec4f1a98c6e5b');
    expect(hex(xxh(Buffer.from('abc')))).toBe('44bc2cf5ad770999');
    expect(hex(xxh(Buffer.from('Nobody inspects the spammish repetition')))).toBe('fbcea83c8a378bf1');
  });

  it('is the same fed in any pieces', () => {
    const data = randomBytes(1000);
    for (const step of [1, 3, 7, 31, 32, 33, 999]) {
      const h = new Xxh64();
      for (let i = 0; i < data.length; i += step) h.update(data.subarray(i, i + step));
      expect(h.digest()).toEqual(xxh(data));
    }
  });

  const zstd = findOnPath('zstd');
  it.skipIf(!zstd)('its low 32 bits are what zstd stores as a frame checksum, at every length around a stripe', () => {
    for (const n of [0, 1, 4, 8, 31, 32, 33, 63, 64, 65, 4099]) {
      const data = randomBytes(n);
      const z = execFileSync('zstd', ['-q', '-c', '--check'], { input: data });
      expect(xxh(data)[1], `length ${n}`).toBe(z.readUInt32LE(z.length - 4));
    }
  });
});

describe('zstd frames', () => {
  const file = Buffer.concat([frame(['0,R,0,', '4096,1\n']), skippable(5), frame(['1,W,8192,4096,2\n'], null), frame(['', '2,R,0,512,3\n'])]);
  const text = '0,R,0,4096,1\n1,W,8192,4096,2\n2,R,0,512,3\n';

  it('decodes frames, skippable frames and empty blocks the same in any chunking', () => {
    for (const step of [1, 2, 3, 5, 7, 13, file.length]) expect(walk(file, step), `chunks of ${step}`).toBe(text);
  });

  it('a wrong content checksum names its frame, in any chunking', () => {
    const first = frame(['0,R,0,4096,1\n']);
    const bad = Buffer.concat([first, frame(['1,W,0,512,1\n'], 0x12345678)]);
    for (const step of [1, 4, bad.length]) {
      expect(() => walk(bad, step)).toThrow(`t.zst: zstd content checksum mismatch in the frame at byte offset ${first.length}: the frame stores 0x12345678`);
    }
  });

  it('a frame cut short names where it starts and what part of it was cut', () => {
    const f = frame(['0,R,0,4096,1\n', '1,R,0,4096,1\n']);
    expect(() => walk(f.subarray(0, 5))).toThrow('truncated zstd data: the file ends at byte offset 5 inside the frame that starts at byte offset 0, in its frame header');
    expect(() => walk(f.subarray(0, 12))).toThrow('the file ends at byte offset 12 inside the frame that starts at byte offset 0, in its block 1 data');
    expect(() => walk(f.subarray(0, 24))).toThrow('in its block 2 header');
    expect(() => walk(f.subarray(0, f.length - 1), 3)).toThrow(`the file ends at byte offset ${f.length - 1} inside the frame that starts at byte offset 0, in its checksum`);
  });

  it('bytes after the last frame are named, not read as another frame', () => {
    const f = frame(['0,R,0,4096,1\n']);
    expect(() => walk(Buffer.concat([f, Buffer.from('junk\n')]))).toThrow(`byte offset ${f.length}: expected another zstd frame or the end of the file`);
    expect(() => walk(Buffer.concat([f, Buffer.alloc(2)]))).toThrow(`byte offset ${f.length}: 2 trailing bytes after the last zstd frame (00 00)`);
  });

  it('push returns at a block end once 8 MiB may have come out, so a 64 KiB RLE bomb (2 GB) is taken in steps', () => {
    const bomb = zstdRleBomb(16_000);
    let out = 0;
    let most = 0;
    const z = new ZstdFrames('t.zst', (b) => (out += b.length));
    let at = 0;
    for (let step = 0; step < 4; step++) {
      at = z.push(bomb, at);
      most = Math.max(most, out);
      out = 0;
    }
    expect(most).toBe(8 * 1024 * 1024);
    expect(at).toBeLessThan(bomb.length); // four pushes (32 MiB out) have not taken the whole 64 KiB
  });

  it('a window past 128 MiB, a reserved header bit and a reserved block type are refused before any decoding', () => {
    const head = (fhd: number, wd: number) => Buffer.from([0x28, 0xb5, 0x2f, 0xfd, fhd, wd, 0x01, 0, 0]);
    expect(() => walk(head(0x00, 0xa7))).toThrow('t.zst: the zstd frame at byte offset 0 needs a 2013265920-byte window, more than the 134217728 (128 MiB)');
    expect(() => walk(head(0x08, 0x50))).toThrow('sets a reserved bit of its header (byte offset 4)');
    expect(() => walk(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x50, 0x07, 0, 0]))).toThrow('block 1 of the frame at byte offset 0 has the reserved block type (its header is at byte offset 6)');
  });
});
