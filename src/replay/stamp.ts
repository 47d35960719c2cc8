/**
 * Verifiable block contents. Every 512-byte sector a write covers gets a 24-byte header
 * (magic, write sequence number, sector index, seed) and a payload derived from those, so a
 * read can say which write a sector came from and whether its bytes are intact.
 */
import type { SectorCodec } from '../io/memory-backend.js';

export const SECTOR = 512;
const MAGIC = 0x48534251; // "QBSH"
const WORDS = SECTOR / 4;
const HEADER_WORDS = 6;

/** What a sector holds, as far as stamps can tell. */
export type SectorContent =
  | { kind: 'zeros' }
  | { kind: 'stamp'; seq: number }
  /** Bytes that are neither zeros nor an intact stamp of this run (torn, misplaced or foreign). */
  | { kind: 'garbage' };

function payloadWord(seed: number, seq: number, sector: number, i: number): number {
  // A cheap, position-dependent mix; only needs to make accidental matches implausible.
  let x = (seed ^ Math.imul(seq, 0x9e3779b1) ^ Math.imul(sector >>> 0, 0x85ebca6b) ^ Math.imul(i, 0xc2b2ae35)) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x2c1b3c6d);
  x ^= x >>> 12;
  return x >>> 0;
}

/** Fill `buf` (sector-aligned, at virtual byte `offset`) with the stamps of write `seq`. */
export function stampBuffer(buf: Uint8Array, offset: number, seq: number, seed: number): void {
  const words = wordsOf(buf);
  const first = offset / SECTOR;
  for (let s = 0; s < buf.length / SECTOR; s++) {
    const sector = first + s;
    writeStamp(words, s * WORDS, seq, sector % 4294967296, Math.floor(sector / 4294967296), seed);
  }
}

function writeStamp(words: Uint32Array, w: number, seq: number, lo: number, hi: number, seed: number): void {
  words[w] = MAGIC;
  words[w + 1] = seq;
  words[w + 2] = lo;
  words[w + 3] = hi;
  words[w + 4] = seed;
  words[w + 5] = 0;
  for (let i = HEADER_WORDS; i < WORDS; i++) words[w + i] = payloadWord(seed, seq, lo, i);
}

/**
 * Stamps as store keys (seq, sector low and high words, seed): a full replay's in-memory image
 * keeps 16 bytes per stamped sector instead of 512. Only an intact stamp is accepted, so any
 * other bytes (torn, copied, foreign) are kept as they are.
 */
export const STAMP_CODEC: SectorCodec = {
  keyWords: 4,
  encode(words, w, keys, k) {
    if (words[w] !== MAGIC || words[w + 5] !== 0) return false;
    const seq = words[w + 1];
    const lo = words[w + 2];
    const seed = words[w + 4];
    for (let i = HEADER_WORDS; i < WORDS; i++) if (words[w + i] !== payloadWord(seed, seq, lo, i)) return false;
    keys[k] = seq;
    keys[k + 1] = lo;
    keys[k + 2] = words[w + 3];
    keys[k + 3] = seed;
    return true;
  },
  decode(keys, k, words, w) {
    writeStamp(words, w, keys[k], keys[k + 1], keys[k + 2], keys[k + 3]);
  },
};

/** Decode one sector of `buf` (index `s`), read from virtual sector `sector`. */
export function readSector(words: Uint32Array, s: number, sector: number, seed: number): SectorContent {
  const w = s * WORDS;
  if (words[w] !== MAGIC) {
    for (let i = 0; i < WORDS; i++) if (words[w + i] !== 0) return { kind: 'garbage' };
    return { kind: 'zeros' };
  }
  const seq = words[w + 1];
  if (
    words[w + 2] !== sector % 4294967296 ||
    words[w + 3] !== Math.floor(sector / 4294967296) ||
    words[w + 4] !== seed ||
    words[w + 5] !== 0
  ) {
    return { kind: 'garbage' };
  }
  for (let i = HEADER_WORDS; i < WORDS; i++) {
    if (words[w + i] !== payloadWord(seed, seq, sector, i)) return { kind: 'garbage' };
  }
  return { kind: 'stamp', seq };
}

/** A Uint32Array view of a sector-aligned buffer (which must start on a 4-byte boundary). */
export function wordsOf(buf: Uint8Array): Uint32Array {
  return new Uint32Array(buf.buffer, buf.byteOffset, buf.length / 4);
}
