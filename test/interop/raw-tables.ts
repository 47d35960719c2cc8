/** Reading QED metadata straight from an image file (no engine involved), for byte-level comparisons. */
import fsp from 'node:fs/promises';

export interface RawImage {
  bytes: Buffer;
  clusterSize: number;
  tableSize: number;
  features: bigint;
  l1Offset: number;
  tableBytes: number;
}

export async function readRawImage(file: string): Promise<RawImage> {
  const bytes = await fsp.readFile(file);
  const clusterSize = bytes.readUInt32LE(4);
  const tableSize = bytes.readUInt32LE(8);
  return {
    bytes,
    clusterSize,
    tableSize,
    features: bytes.readBigUInt64LE(16),
    l1Offset: Number(bytes.readBigUInt64LE(40)),
    tableBytes: clusterSize * tableSize,
  };
}

export function tableEntries(img: RawImage, tableOffset: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < img.tableBytes / 8; i++) out.push(Number(img.bytes.readBigUInt64LE(tableOffset + i * 8)));
  return out;
}

export function tableBytes(img: RawImage, tableOffset: number): Buffer {
  return img.bytes.subarray(tableOffset, tableOffset + img.tableBytes);
}

/** Overwrite one 8-byte table entry in the file. */
export async function pokeEntry(file: string, tableOffset: number, index: number, value: number): Promise<void> {
  const fh = await fsp.open(file, 'r+');
  try {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(BigInt(value));
    await fh.write(b, 0, 8, tableOffset + index * 8);
  } finally {
    await fh.close();
  }
}
