/** Image files on disk: open (with the backing chain, loops and depth refused) and create. */
import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { BlockBackend } from '../io/backend.js';
import { FileBackend, type CacheMode, type IoMode } from '../io/file-backend.js';
import { RawBacking, type BackingDevice } from './backing.js';
import { createImage, validateCreateOptions, type CreateOptions } from './create.js';
import { QedFormatError } from './errors.js';
import { QED_MAGIC } from './format.js';
import { QedImage, type OpenOptions } from './image.js';

export interface FileOpenOptions extends Omit<OpenOptions, 'openBacking'> {
  /** Wraps every file backend opened (the image's and its backing files'), e.g. in a scheduler. */
  wrap?: (b: BlockBackend) => BlockBackend;
  /** The file backends' I/O path, for the image and its backing files (default auto; see io-choice.ts). */
  io?: IoMode;
  /** The images above this one in its backing chain (set when opening backing files). */
  chain?: readonly string[];
  /** writeback (default) or none (O_DIRECT), for the image and its backing files. */
  cache?: CacheMode;
}

/** Backing chains deeper than this are refused (QEMU users rarely go past a handful). */
export const MAX_BACKING_DEPTH = 64;

/** Open an image file; its backing file (raw or QED, probed unless the header says raw) opens read-only. */
export async function openImageFile(path: string, opts: FileOpenOptions = {}): Promise<QedImage> {
  const wrap = opts.wrap ?? ((b: BlockBackend) => b);
  const chain = [...(opts.chain ?? []), await realpath(path).catch(() => resolve(path))];
  const io = wrap(await FileBackend.open(path, { readOnly: opts.readOnly, io: opts.io, cache: opts.cache }));
  try {
    return await QedImage.open(io, { ...opts, openBacking: (name, format) => openBackingFile(path, name, format, wrap, opts, chain) });
  } catch (err) {
    await io.close();
    throw err;
  }
}

/** Create an image file (replacing any file at `path`). */
export async function createImageFile(path: string, opts: CreateOptions): Promise<void> {
  validateCreateOptions(opts); // before the open, which empties an existing file
  const io = await FileBackend.open(path, { create: true });
  try {
    await createImage(io, opts);
  } finally {
    await io.close();
  }
}

async function openBackingFile(imagePath: string, name: string, format: 'raw' | 'qed' | 'probe', wrap: (b: BlockBackend) => BlockBackend, { io, cache }: FileOpenOptions, chain: string[]): Promise<BackingDevice> {
  const path = isAbsolute(name) ? name : resolve(dirname(imagePath), name);
  const real = await realpath(path).catch(() => resolve(path));
  if (chain.includes(real)) {
    throw new QedFormatError(chain[0], 'backing_filename', `the backing chain loops: ${[...chain, real].join(' → ')}`);
  }
  if (chain.length >= MAX_BACKING_DEPTH) {
    throw new QedFormatError(chain[0], 'backing_filename', `the backing chain is deeper than ${MAX_BACKING_DEPTH} images (${chain[0]} → ... → ${chain[chain.length - 1]} → ${real})`);
  }
  if (format === 'probe') format = (await isQed(path)) ? 'qed' : 'raw';
  if (format === 'qed') return openImageFile(path, { readOnly: true, wrap, io, cache, chain });
  return RawBacking.open(wrap(await FileBackend.open(path, { readOnly: true, io, cache })));
}

async function isQed(path: string): Promise<boolean> {
  const io = await FileBackend.open(path, { readOnly: true });
  try {
    const b = new Uint8Array(4);
    await io.read(b, 0);
    return new DataView(b.buffer).getUint32(0, true) === QED_MAGIC;
  } finally {
    await io.close();
  }
}
