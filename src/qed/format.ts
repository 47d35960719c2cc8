/** The QED on-disk format: header fields, feature bits, geometry limits and their checks. */
import { QedFormatError } from './errors.js';
import { remainder } from '../util/remainder.js';

export const QED_MAGIC = 0x00444551; // "QED\0" little-endian
export const HEADER_BYTES = 64;
export const SECTOR = 512;

export const F_BACKING_FILE = 0x1;
export const F_NEED_CHECK = 0x2;
export const F_BACKING_FORMAT_NO_PROBE = 0x4;
export const KNOWN_FEATURES = F_BACKING_FILE | F_NEED_CHECK | F_BACKING_FORMAT_NO_PROBE;

export const MIN_CLUSTER_SIZE = 4096;
export const MAX_CLUSTER_SIZE = 64 * 1024 * 1024;
export const MIN_TABLE_SIZE = 1;
export const MAX_TABLE_SIZE = 16;
export const DEFAULT_CLUSTER_SIZE = 65536;
export const DEFAULT_TABLE_SIZE = 4;

/** L2 entry values with a meaning other than an offset. */
export const L2_UNALLOCATED = 0;
export const L2_ZERO = 1;

export interface QedHeader {
  magic: number;
  clusterSize: number;
  tableSize: number;
  headerSize: number;
  features: bigint;
  compatFeatures: bigint;
  autoclearFeatures: bigint;
  l1TableOffset: number;
  imageSize: number;
  backingFilenameOffset: number;
  backingFilenameSize: number;
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && Number.isInteger(Math.log2(n));
}

export function validClusterSize(n: number): boolean {
  return isPowerOfTwo(n) && n >= MIN_CLUSTER_SIZE && n <= MAX_CLUSTER_SIZE;
}

export function validTableSize(n: number): boolean {
  return isPowerOfTwo(n) && n >= MIN_TABLE_SIZE && n <= MAX_TABLE_SIZE;
}

/** Entries per table and the largest image the geometry can map (nelems² × cluster_size). */
export function maxImageSize(clusterSize: number, tableSize: number): number {
  const nelems = (clusterSize * tableSize) / 8;
  return nelems * nelems * clusterSize;
}

/** Read a little-endian u64 as a number; values past 2^53 lose precision but stay huge (u64Text prints them exactly). */
export function readU64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 4294967296;
}

/**
 * A u64 field for a message: `value` as read by readU64, or, when it is past 2^53 and the
 * header's bytes are at hand, the exact integer from them (a Number would print rounded).
 */
export function u64Text(value: number, bytes: Uint8Array | undefined, at: number): string {
  if (value <= Number.MAX_SAFE_INTEGER || !bytes) return String(value);
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(at, true).toString();
}

export function writeU64(view: DataView, at: number, value: number): void {
  view.setUint32(at, value % 4294967296, true);
  view.setUint32(at + 4, Math.floor(value / 4294967296), true);
}

export function parseHeader(buf: Uint8Array): QedHeader {
  const v = new DataView(buf.buffer, buf.byteOffset, HEADER_BYTES);
  return {
    magic: v.getUint32(0, true),
    clusterSize: v.getUint32(4, true),
    tableSize: v.getUint32(8, true),
    headerSize: v.getUint32(12, true),
    features: v.getBigUint64(16, true),
    compatFeatures: v.getBigUint64(24, true),
    autoclearFeatures: v.getBigUint64(32, true),
    l1TableOffset: readU64(v, 40),
    imageSize: readU64(v, 48),
    backingFilenameOffset: v.getUint32(56, true),
    backingFilenameSize: v.getUint32(60, true),
  };
}

export function serializeHeader(h: QedHeader): Uint8Array {
  const buf = new Uint8Array(HEADER_BYTES);
  const v = new DataView(buf.buffer);
  v.setUint32(0, h.magic, true);
  v.setUint32(4, h.clusterSize, true);
  v.setUint32(8, h.tableSize, true);
  v.setUint32(12, h.headerSize, true);
  v.setBigUint64(16, h.features, true);
  v.setBigUint64(24, h.compatFeatures, true);
  v.setBigUint64(32, h.autoclearFeatures, true);
  writeU64(v, 40, h.l1TableOffset);
  writeU64(v, 48, h.imageSize);
  v.setUint32(56, h.backingFilenameOffset, true);
  v.setUint32(60, h.backingFilenameSize, true);
  return buf;
}

/** Names of feature bits, for messages: "0x10, 0x8000000000000000". */
export function bitList(bits: bigint): string {
  const out: string[] = [];
  for (let i = 0n; i < 64n; i++) {
    if (bits & (1n << i)) out.push(`0x${(1n << i).toString(16)}`);
  }
  return out.join(', ');
}

/**
 * Check every header constraint that does not depend on the file; `fileLength` is the
 * image file's length in bytes. Throws QedFormatError naming the field. `bytes`, the header as
 * read, lets the message give a u64 field past 2^53 exactly.
 */
export function validateHeader(h: QedHeader, image: string, fileLength: number, bytes?: Uint8Array): void {
  const fail = (field: string, msg: string): never => {
    throw new QedFormatError(image, field, msg);
  };
  if (h.magic !== QED_MAGIC) {
    fail('magic', `not a QED image (magic is 0x${h.magic.toString(16).padStart(8, '0')}, expected 0x00444551 "QED\\0")`);
  }
  if (!validClusterSize(h.clusterSize)) {
    fail('cluster_size', `cluster_size ${h.clusterSize} is invalid: it must be a power of two from 4096 to 67108864`);
  }
  if (!validTableSize(h.tableSize)) {
    fail('table_size', `table_size ${h.tableSize} is invalid: it must be a power of two from 1 to 16 clusters`);
  }
  const unknown = h.features & ~BigInt(KNOWN_FEATURES);
  if (unknown) {
    fail('features', `unsupported QED feature bits ${bitList(unknown)}: refusing to open (known bits: 0x1 backing file, 0x2 need check, 0x4 backing format no-probe)`);
  }
  if (h.headerSize < 1) {
    fail('header_size', `header_size ${h.headerSize} is invalid: it must be at least 1 cluster`);
  }
  if (h.headerSize * h.clusterSize >= fileLength) {
    fail('header_size', `header_size ${h.headerSize} clusters (${h.headerSize * h.clusterSize} bytes) is invalid: the header would reach past the end of the file (${fileLength} bytes), leaving no room for the L1 table`);
  }
  const imageSize = u64Text(h.imageSize, bytes, 48);
  // Past 2^53 the Number is rounded, so its remainder says nothing: the size check below names it.
  if (h.imageSize <= Number.MAX_SAFE_INTEGER && h.imageSize % SECTOR !== 0) {
    fail('image_size', `image_size ${imageSize} is not a multiple of 512`);
  }
  const max = maxImageSize(h.clusterSize, h.tableSize);
  if (h.imageSize > max) {
    fail('image_size', `image_size ${imageSize} exceeds the maximum ${max} for cluster_size ${h.clusterSize} and table_size ${h.tableSize}`);
  }
  const g = new Geometry(h.clusterSize, h.tableSize, h.headerSize);
  const fileEnd = g.clusterFloor(fileLength);
  if (!g.validTableOffset(h.l1TableOffset, fileEnd)) {
    fail('l1_table_offset', `l1_table_offset ${u64Text(h.l1TableOffset, bytes, 40)} is invalid: it must be cluster-aligned, past the header, and the whole table (${g.tableBytes} bytes) must lie inside the file (${fileLength} bytes)`);
  }
  if (h.features & BigInt(F_BACKING_FILE)) {
    const end = h.backingFilenameOffset + h.backingFilenameSize;
    // A zero-length name is allowed, as QEMU allows it: the image then has no backing file.
    if (end > h.headerSize * h.clusterSize) {
      fail('backing_filename_offset', `backing file name (offset ${h.backingFilenameOffset}, ${h.backingFilenameSize} bytes) does not lie inside the header clusters`);
    }
  }
}

/** Address arithmetic for one image geometry. */
export class Geometry {
  readonly nelems: number;
  readonly tableBytes: number;
  readonly clusterBits: number;
  readonly l2Bits: number;
  /** Bytes of virtual disk one L2 table maps. */
  readonly l2Span: number;
  readonly headerBytes: number;
  /** Sizes as a valid header has them (powers of two): remainders without a float modulo (util/remainder.ts). */
  private readonly pow2: boolean;

  constructor(
    readonly clusterSize: number,
    readonly tableSize: number,
    readonly headerSize = 1,
  ) {
    this.tableBytes = clusterSize * tableSize;
    this.nelems = this.tableBytes / 8;
    this.clusterBits = Math.log2(clusterSize);
    this.l2Bits = Math.log2(this.nelems);
    this.l2Span = this.nelems * clusterSize;
    this.headerBytes = headerSize * clusterSize;
    this.pow2 = isPowerOfTwo(clusterSize) && isPowerOfTwo(this.nelems);
  }

  l1Index(pos: number): number {
    return Math.floor(pos / this.l2Span);
  }

  l2Index(pos: number): number {
    const c = Math.floor(pos / this.clusterSize);
    return this.pow2 ? remainder(c, this.nelems) : c % this.nelems;
  }

  offsetInCluster(pos: number): number {
    return this.pow2 ? remainder(pos, this.clusterSize) : pos % this.clusterSize;
  }

  clusterFloor(n: number): number {
    return Math.floor(n / this.clusterSize) * this.clusterSize;
  }

  clusterCeil(n: number): number {
    return Math.ceil(n / this.clusterSize) * this.clusterSize;
  }

  /** A data cluster offset: aligned, past the header, whole cluster below fileEnd. */
  validClusterOffset(off: number, fileEnd: number): boolean {
    return this.offsetInCluster(off) === 0 && off >= this.headerBytes && off + this.clusterSize <= fileEnd;
  }

  /** A table offset: aligned, past the header, whole table below fileEnd. */
  validTableOffset(off: number, fileEnd: number): boolean {
    return this.offsetInCluster(off) === 0 && off >= this.headerBytes && off + this.tableBytes <= fileEnd;
  }
}
