/** Byte sizes as people type them: 512, 4k, 64K, 64KiB, 1.5M, 2G, 1T, 0x10000 (binary multiples). */

const UNITS = ['', 'K', 'M', 'G', 'T', 'P', 'E'] as const;

export class SizeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SizeError';
  }
}

const DECIMAL = /^(\d+)(?:\.(\d+))?\s?(?:([kmgtpe])(?:i?b)?|b)?$/i;
const HEX = /^0x([0-9a-f]+)$/i;
const EXAMPLES = 'use a byte count such as 512, 4k, 64K, 64KiB, 1.5M, 2G, 1T or 0x10000';

/**
 * Parse a size in bytes. Suffixes K, M, G, T, P, E are powers of 1024 (case-insensitive,
 * optionally followed by "iB" or "B"); a fraction is allowed when the result is whole bytes.
 * Exact (BigInt) arithmetic, so "1.0000000001k" is rejected rather than rounded.
 */
export function parseSize(text: string): number {
  const s = text.trim();
  let bytes: bigint;
  const hex = HEX.exec(s);
  const dec = DECIMAL.exec(s);
  if (hex) {
    bytes = BigInt(`0x${hex[1]}`);
  } else if (dec) {
    const [, whole, frac = '', unit = ''] = dec;
    const scale = 1024n ** BigInt(UNITS.indexOf(unit.toUpperCase() as (typeof UNITS)[number]));
    const num = BigInt(whole + frac) * scale;
    const den = 10n ** BigInt(frac.length);
    if (num % den !== 0n) throw new SizeError(`"${text}" is not a whole number of bytes`);
    bytes = num / den;
  } else {
    throw new SizeError(`"${text}" is not a size: ${EXAMPLES}`);
  }
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new SizeError(`"${text}" is too large: sizes must be below 2^53 bytes (8 PiB)`);
  }
  return Number(bytes);
}

/** Exact and parseable back: the largest binary unit that divides `bytes` ("64 KiB", "1536 B"). */
export function formatSize(bytes: number): string {
  for (let i = UNITS.length - 1; i > 0; i--) {
    const unit = 1024 ** i;
    if (bytes >= unit && bytes % unit === 0) return `${bytes / unit} ${UNITS[i]}iB`;
  }
  return `${bytes} B`;
}

/** Rounded for people, as qemu-io prints it: three decimals unless whole ("1.500 KiB", "64 KiB", "40 bytes"). */
export function humanSize(bytes: number): string {
  let i = 0;
  while (i < UNITS.length - 1 && bytes >= 1024 ** (i + 1)) i++;
  const text = (bytes / 1024 ** i).toFixed(3).replace(/\.000$/, '');
  return i === 0 ? `${text} bytes` : `${text} ${UNITS[i]}iB`;
}
