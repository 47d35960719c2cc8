/** `qed-bench info`: an image's header, geometry and allocation summary (read-only). */
import {
  F_BACKING_FILE,
  F_BACKING_FORMAT_NO_PROBE,
  F_NEED_CHECK,
  L2_UNALLOCATED,
  maxImageSize,
} from '../qed/format.js';
import { QedImage } from '../qed/image.js';
import { allocationMap } from '../qed/map.js';
import { formatSize } from '../util/size.js';
import { EXIT_OK } from './errors.js';
import { READ_ONLY, withImage } from './image.js';
import { printJson, type Output } from './output.js';
import { usageOutput, type RegisterCommand } from './options.js';

const FEATURE_NAMES: [bigint, string][] = [
  [BigInt(F_BACKING_FILE), 'backing_file'],
  [BigInt(F_NEED_CHECK), 'need_check'],
  [BigInt(F_BACKING_FORMAT_NO_PROBE), 'backing_format_no_probe'],
];

/** Bit names, unknown bits in hex (an image with unknown bits does not open, but be complete). */
export function featureNames(bits: bigint): string[] {
  const names: string[] = [];
  let rest = bits;
  for (const [bit, name] of FEATURE_NAMES) {
    if (bits & bit) names.push(name);
    rest &= ~bit;
  }
  for (let i = 0n; rest; i++) {
    if (rest & (1n << i)) names.push(`0x${(1n << i).toString(16)}`);
    rest &= ~(1n << i);
  }
  return names;
}

/** One key style throughout (snake_case, as the header's own fields and qemu-img's JSON are). */
export type ImageInfo = Awaited<ReturnType<typeof describe>>;

/** Everything `info` reports; the image is opened read-only and never written. */
async function describe(img: QedImage, filename: string) {
  const h = img.header;
  const g = img.geometry;
  const extents = await allocationMap(img);
  const bytesOf = (kind: string): number => extents.filter((e) => e.kind === kind).reduce((n, e) => n + e.length, 0);
  const l1InUse = Array.from(img.l1).filter((v) => v !== L2_UNALLOCATED).length;
  return {
    filename,
    format: 'qed',
    header: {
      magic: `0x${h.magic.toString(16).padStart(8, '0')}`,
      cluster_size: h.clusterSize,
      table_size: h.tableSize,
      header_size: h.headerSize,
      // bigints: a u64 bit mask past 2^53 would print rounded as a Number (printJson writes them exactly).
      features: h.features,
      feature_names: featureNames(h.features),
      compat_features: h.compatFeatures,
      autoclear_features: h.autoclearFeatures,
      l1_table_offset: h.l1TableOffset,
      image_size: h.imageSize,
      backing_filename_offset: h.backingFilenameOffset,
      backing_filename_size: h.backingFilenameSize,
    },
    backing:
      img.backingName === null
        ? null
        : {
            file: img.backingName,
            format: img.backing instanceof QedImage ? 'qed' : 'raw',
            probed: (h.features & BigInt(F_BACKING_FORMAT_NO_PROBE)) === 0n,
          },
    geometry: {
      entries_per_table: g.nelems,
      bytes_per_l2_table: g.l2Span,
      max_image_size: maxImageSize(h.clusterSize, h.tableSize),
      l1_entries: img.l1.length,
      l1_entries_in_use: l1InUse,
    },
    allocation: {
      data_bytes: bytesOf('data'),
      zero_bytes: bytesOf('zero'),
      unallocated_bytes: bytesOf('unallocated'),
      l2_tables: l1InUse,
      file_length: await img.io.size(),
    },
  };
}

export async function infoCommand(a: { image: string; json?: boolean }, out: Output): Promise<number> {
  const info = await withImage(a.image, READ_ONLY, (img) => describe(img, a.image));
  if (a.json) printJson(out, info);
  else out.stdout(humanInfo(info));
  return EXIT_OK;
}

const sized = (n: number): string => {
  const f = formatSize(n);
  return f.endsWith(' B') ? `${n} bytes` : `${f} (${n} bytes)`;
};
const hex = (n: bigint): string => `0x${n.toString(16)}`;

function humanInfo(i: ImageInfo): string {
  const h = i.header;
  const features = h.feature_names.length ? ` (${h.feature_names.join(', ')})` : '';
  const lines = [
    `image: ${i.filename}`,
    `file format: qed`,
    `virtual size: ${sized(h.image_size)}`,
    `file length: ${sized(i.allocation.file_length)}`,
    `backing file: ${i.backing ? `${i.backing.file} (${i.backing.format}${i.backing.probed ? ', probed' : ''})` : 'none'}`,
    `Header:`,
    `    magic: ${h.magic} ("QED\\0")`,
    `    cluster_size: ${h.cluster_size}`,
    `    table_size: ${h.table_size}`,
    `    header_size: ${h.header_size}`,
    `    features: ${hex(h.features)}${features}`,
    `    compat_features: ${hex(h.compat_features)}`,
    `    autoclear_features: ${hex(h.autoclear_features)}`,
    `    l1_table_offset: ${h.l1_table_offset}`,
    `    image_size: ${h.image_size}`,
    `Geometry:`,
    `    entries per table: ${i.geometry.entries_per_table}`,
    `    bytes mapped per L2 table: ${sized(i.geometry.bytes_per_l2_table)}`,
    `    max image size: ${sized(i.geometry.max_image_size)}`,
    `    L1 entries in use: ${i.geometry.l1_entries_in_use} of ${i.geometry.l1_entries}`,
    `Allocation:`,
    `    data: ${sized(i.allocation.data_bytes)}`,
    `    zero: ${sized(i.allocation.zero_bytes)}`,
    `    unallocated: ${sized(i.allocation.unallocated_bytes)}`,
    `    L2 tables: ${i.allocation.l2_tables}`,
  ];
  return `${lines.join('\n')}\n`;
}

export const registerInfo: RegisterCommand = (program, out, setCode) => {
  program
    .command('info')
    .configureOutput(usageOutput(out, 'info'))
    .description('show the header, geometry and allocation of an image (read-only)')
    .argument('<image>', 'QED image')
    .option('--json', 'print JSON')
    .action(async (image: string, o) => setCode(await infoCommand({ image, ...o }, out)));
};
