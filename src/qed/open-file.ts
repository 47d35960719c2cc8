import { dirname, isAbsolute, resolve } from 'node:path';
import type { BlockBackend } from '../io/backend.js';
import { FileBackend, type CacheMode, type IoMode } from '../io/file-backend.js';
import { RawBacking, type BackingDevice } from './backing.js';
import { createImage, validateCreateOptions, type CreateOptions } from './create.js';
import { QED_MAGIC } from './format.js';
import { QedImage, type OpenOptions } from './image.js';

export interface FileOpenOptions extends Omit<OpenOptions, 'openBacking'> {
  /** Wraps every file backend opened (the image's and its backing files'), e.g. in a scheduler. */
  wrap?: (b: BlockBackend) => BlockBackend;
  /** The file backends' I/O path, for the image and its backing files (default auto; see io-choice.ts). */
  io?: IoMode;
  /** writeback (default) or none (O_DIRECT), for the image and its backing files. */
  cache?: CacheMode;
}

/** Open an image file; its backing file (raw or QED, probed unless the header says raw) opens read-only. */
export async function openImageFile(path: string, opts: FileOpenOptions = {}): Promise<QedImage> {
  const wrap = opts.wrap ?? ((b: BlockBackend) => b);
  const io = wrap(await FileBackend.open(path, { readOnly: opts.readOnly, io: opts.io, cache: opts.cache }));
  try {
    return await QedImage.open(io, { ...opts, openBacking: (name, format) => openBackingFile(path, name, format, wrap, opts) });
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

async function openBackingFile(imagePath: string, name: string, format: 'raw' | 'qed' | 'probe', wrap: (b: BlockBackend) => BlockBackend, { io, cache }: FileOpenOptions): Promise<BackingDevice> {
  const path = isAbsolute(name) ? name : resolve(dirname(imagePath), name);
  if (format === 'probe') format = (await isQed(path)) ? 'qed' : 'raw';
  if (format === 'qed') return openImageFile(path, { readOnly: true, wrap, io, cache });
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
