/** `qed-bench create`: create an image as `qemu-img create -f qed` does. */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Option } from 'commander';
import { validateCreateOptions, type CreateOptions } from '../qed/create.js';
import { QedUsageError } from '../qed/errors.js';
import { SECTOR } from '../qed/format.js';
import { createImageFile, openImageFile, probeImageFile, resolveBackingPath } from '../qed/open-file.js';
import { CliUsageError, EXIT_OK } from './errors.js';
import { printJson, type Output } from './output.js';
import { intArg, sizeArg, usageOutput, type RegisterCommand } from './options.js';

export interface CreateArgs {
  image: string;
  size?: number;
  clusterSize?: number;
  tableSize?: number;
  backing?: string;
  backingFormat?: 'raw' | 'qed';
  json?: boolean;
}

/** `create IMAGE [SIZE]`: everything is validated before the file is touched (creating truncates it). */
export async function createCommand(a: CreateArgs, out: Output): Promise<number> {
  let size = a.size;
  if (a.backing !== undefined) {
    const b = await backingSize(a.image, a.backing, a.backingFormat);
    size ??= Math.ceil(b / SECTOR) * SECTOR; // QED sizes are whole sectors; the tail reads as zeros
  }
  if (size === undefined) {
    throw new CliUsageError(`cannot create ${a.image}: give SIZE, or a backing file (-b) to take the size from`);
  }
  const opts: CreateOptions = {
    size,
    clusterSize: a.clusterSize,
    tableSize: a.tableSize,
    backingFile: a.backing,
    backingFormat: a.backingFormat,
  };
  let valid: ReturnType<typeof validateCreateOptions>;
  try {
    valid = validateCreateOptions(opts);
  } catch (err) {
    if (err instanceof QedUsageError) throw new CliUsageError(`cannot create ${a.image}: ${err.message}`);
    throw err;
  }
  await createImageFile(a.image, opts);
  const fileLength = (await stat(a.image)).size;
  // Valid QED, and qemu-img create makes it too, but qemu-img and qemu-io then cannot open it.
  if (valid.tableSize === 1) out.stderr(`qed-bench create: note: QEMU refuses to open images with table_size 1 ("QED table offset is invalid": its offset check never passes a one-cluster table); use -t 2 or more for an image QEMU should read\n`);

  if (a.json) {
    printJson(out, {
      filename: a.image,
      format: 'qed',
      size: valid.size,
      clusterSize: valid.clusterSize,
      tableSize: valid.tableSize,
      backingFile: a.backing ?? null,
      backingFormat: a.backing === undefined ? null : (a.backingFormat ?? 'probe'),
      fileLength,
    });
  } else {
    // The line `qemu-img create` prints.
    const backing = a.backing === undefined ? '' : ` backing_file=${a.backing}${a.backingFormat ? ` backing_fmt=${a.backingFormat}` : ''}`;
    out.stdout(`Formatting '${a.image}', fmt=qed size=${valid.size}${backing} cluster_size=${valid.clusterSize} table_size=${valid.tableSize}\n`);
  }
  return EXIT_OK;
}

/** The backing file's virtual size: a raw file's length, or a QED image's image_size. */
async function backingSize(image: string, name: string, format: 'raw' | 'qed' | undefined): Promise<number> {
  // Relative names are stored as given and resolve beside the image, as the engine opens them.
  const path = resolveBackingPath(image, name);
  const where = path === name ? name : `${name} (resolved to ${path})`;
  if (resolve(path) === resolve(image)) {
    throw new CliUsageError(`cannot create ${image}: the backing file ${where} is the image itself`);
  }
  const { unreadable, length, qed: isQed } = probeImageFile(path);
  if (unreadable) throw new CliUsageError(`cannot create ${image}: backing file ${where} cannot be read (-b): ${unreadable}`);
  if (format === 'qed' && !isQed) {
    throw new CliUsageError(`cannot create ${image}: backing file ${where} is not a QED image, but -F qed was given (use -F raw)`);
  }
  if (format === 'raw' || !isQed) return length;
  const img = await openImageFile(path, { readOnly: true, repairOnOpen: false });
  try {
    return img.size;
  } finally {
    await img.close();
  }
}

export const registerCreate: RegisterCommand = (program, out, setCode) => {
  program
    .command('create')
    .configureOutput(usageOutput(out, 'create'))
    .description('create an empty QED image (replaces an existing file)')
    .argument('<image>', 'image file to create')
    .argument('[size]', 'virtual size: 512, 4k, 64K, 1M, 2G, 1T... (default: the backing file size)', sizeArg)
    .option('-c, --cluster-size <size>', 'cluster size, a power of two from 4k to 64M (default 64k)', sizeArg)
    .option('-t, --table-size <clusters>', 'L1/L2 table size in clusters: 1, 2, 4, 8 or 16 (default 4)', intArg)
    .option('-b, --backing <file>', 'backing file (relative names resolve beside the image)')
    .addOption(new Option('-F, --backing-format <format>', 'backing file format (default: probe)').choices(['raw', 'qed']))
    .option('--json', 'print what was created as JSON')
    .action(async (image: string, size: number | undefined, o) => setCode(await createCommand({ image, size, ...o }, out)));
};
