/** Writing a new, empty image as `qemu-img create -f qed` does. */
import type { BlockBackend } from '../io/backend.js';
import { QedUsageError } from './errors.js';
import {
  DEFAULT_CLUSTER_SIZE,
  DEFAULT_TABLE_SIZE,
  F_BACKING_FILE,
  F_BACKING_FORMAT_NO_PROBE,
  HEADER_BYTES,
  QED_MAGIC,
  SECTOR,
  maxImageSize,
  serializeHeader,
  validClusterSize,
  validTableSize,
  type QedHeader,
} from './format.js';

export interface CreateOptions {
  /** Virtual size in bytes: a multiple of 512, at most nelems² × cluster_size. */
  size: number;
  clusterSize?: number;
  tableSize?: number;
  /** Backing file name as stored in the header (relative names resolve beside the image). */
  backingFile?: string;
  /** 'raw' sets the no-probe bit; 'qed' (or unset) lets the opener probe. */
  backingFormat?: 'raw' | 'qed';
}

/** Check create options; throws QedUsageError naming the option and the allowed range. */
export function validateCreateOptions(o: CreateOptions): Required<Pick<CreateOptions, 'size' | 'clusterSize' | 'tableSize'>> {
  const clusterSize = o.clusterSize ?? DEFAULT_CLUSTER_SIZE;
  const tableSize = o.tableSize ?? DEFAULT_TABLE_SIZE;
  if (!validClusterSize(clusterSize)) {
    throw new QedUsageError(`cluster size ${clusterSize} is invalid: it must be a power of two from 4096 (4k) to 67108864 (64M)`);
  }
  if (!validTableSize(tableSize)) {
    throw new QedUsageError(`table size ${tableSize} is invalid: it must be 1, 2, 4, 8 or 16 clusters`);
  }
  const max = maxImageSize(clusterSize, tableSize);
  if (!Number.isInteger(o.size) || o.size < 0 || o.size % SECTOR !== 0 || o.size > max) {
    throw new QedUsageError(`image size ${o.size} is invalid: it must be a multiple of 512 bytes and at most ${max} bytes for cluster size ${clusterSize} and table size ${tableSize}`);
  }
  return { size: o.size, clusterSize, tableSize };
}

/**
 * Write a new, empty image as `qemu-img create -f qed` does: the header (and backing file
 * name) in the header cluster(s), then a zeroed L1 table right after them.
 */
export async function createImage(io: BlockBackend, o: CreateOptions): Promise<void> {
  const { size, clusterSize, tableSize } = validateCreateOptions(o);
  const name = o.backingFile ? new TextEncoder().encode(o.backingFile) : null;
  const headerSize = Math.max(1, Math.ceil((HEADER_BYTES + (name?.length ?? 0)) / clusterSize));
  let features = 0n;
  if (name) {
    features |= BigInt(F_BACKING_FILE);
    if (o.backingFormat === 'raw') features |= BigInt(F_BACKING_FORMAT_NO_PROBE);
  }
  const h: QedHeader = {
    magic: QED_MAGIC,
    clusterSize,
    tableSize,
    headerSize,
    features,
    compatFeatures: 0n,
    autoclearFeatures: 0n,
    l1TableOffset: headerSize * clusterSize,
    imageSize: size,
    backingFilenameOffset: name ? HEADER_BYTES : 0,
    backingFilenameSize: name ? name.length : 0,
  };
  await io.truncate(0);
  await io.write(serializeHeader(h), 0, 'header_update');
  if (name) await io.write(name, HEADER_BYTES, 'header_update');
  await io.write(new Uint8Array(clusterSize * tableSize), h.l1TableOffset, 'l1_update');
  await io.flush('flush_to_disk');
}
