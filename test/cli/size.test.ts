import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSize, humanSize, parseSize, SizeError } from '../../src/util/size.js';

describe('parseSize', () => {
  it.each([
    ['512', 512],
    ['4k', 4096],
    ['64K', 65536],
    ['64KiB', 65536],
    ['64kb', 65536],
    ['64 KiB', 65536],
    ['1M', 1 << 20],
    ['2G', 2 * 2 ** 30],
    ['1T', 2 ** 40],
    ['1t', 2 ** 40],
    ['1.5k', 1536],
    ['1536B', 1536],
    ['0x10000', 65536],
    ['0X1f', 31],
    ['0', 0],
  ])('%s = %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });

  it.each([
    ['', 'not a size'],
    ['abc', 'not a size'],
    ['1x', 'not a size'],
    ['-1', 'not a size'],
    ['512iB', 'not a size'],
    ['0x10k', 'not a size'],
    ['1.3k', 'not a whole number of bytes'],
    ['1.0000000001k', 'not a whole number of bytes'],
    ['8E', 'too large'],
    ['9007199254740993', 'too large'],
  ])('rejects %j (%s)', (text, why) => {
    expect(() => parseSize(text)).toThrow(SizeError);
    expect(() => parseSize(text)).toThrow(why);
  });

  it('formatSize then parseSize gives the same byte count', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (n) => parseSize(formatSize(n)) === n),
    );
    // Multiples of large units exercise the unit branch, which random integers rarely hit.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8191 }), fc.integer({ min: 0, max: 4 }), (k, u) => {
        const n = k * 1024 ** u;
        return parseSize(formatSize(n)) === n;
      }),
    );
  });

  it('formats with the largest exact unit', () => {
    expect(formatSize(65536)).toBe('64 KiB');
    expect(formatSize(1536)).toBe('1536 B');
    expect(formatSize(3 * 2 ** 40)).toBe('3 TiB');
  });
});

describe('humanSize (qemu-io style)', () => {
  it('rounds to three decimals and drops ".000"', () => {
    expect(humanSize(65536)).toBe('64 KiB');
    expect(humanSize(1536)).toBe('1.500 KiB');
    expect(humanSize(40)).toBe('40 bytes');
  });
});
