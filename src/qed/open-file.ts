/** Image files on disk: open (with the backing chain, loops and depth refused) and create. */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { BackendError, type BlockBackend } from '../io/backend.js';
import { FileBackend, type CacheMode, type IoMode } from '../io/file-backend.js';
import { RawBacking, type BackingDevice } from './backing.js';
import { createImage, validateCreateOptions, type CreateOptions } from './create.js';
import { QedFormatError } from './errors.js';
import { HEADER_BYTES, QED_MAGIC, parseHeader, validateHeader, type QedHeader } from './format.js';
import { QedImage, type OpenOptions } from './image.js';
import { whyUnreadable } from '../util/why-unreadable.js';

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
  // Said plainly here: the backend's open or first read would fail with EISDIR as a read error.
  if ((await stat(path).catch(() => null))?.isDirectory()) throw new QedFormatError(path, 'file', 'it is a directory, not an image file');
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
  const path = resolveBackingPath(imagePath, name);
  const real = await realpath(path).catch(() => resolve(path));
  if (chain.includes(real)) {
    throw new QedFormatError(chain[0], 'backing_filename', `the backing chain loops: ${[...chain, real].join(' → ')}`);
  }
  if (chain.length >= MAX_BACKING_DEPTH) {
    throw new QedFormatError(chain[0], 'backing_filename', `the backing chain is deeper than ${MAX_BACKING_DEPTH} images (${chain[0]} → ... → ${chain[chain.length - 1]} → ${real})`);
  }
  if (name.includes('\0')) {
    throw new QedFormatError(imagePath, 'backing_filename', `the backing file name ${JSON.stringify(name)} holds a NUL byte, which no file name can`);
  }
  try {
    // A file that cannot be probed opens as raw, whose open then says why it cannot be read.
    if (format === 'probe') format = probeImageFile(path).qed ? 'qed' : 'raw';
    if (format === 'qed') return await openImageFile(path, { readOnly: true, wrap, io, cache, chain });
    return await RawBacking.open(wrap(await FileBackend.open(path, { readOnly: true, io, cache })));
  } catch (err) {
    // The file that failed is the image's backing file: say whose, as the header names it.
    if (err instanceof BackendError) throw new BackendError(err.code, `${imagePath}: backing file "${name}": ${err.message}`);
    throw err;
  }
}

/** A backing file name as the engine opens it: relative names resolve beside the image, not in the working directory. */
export function resolveBackingPath(imagePath: string, name: string): string {
  return isAbsolute(name) ? name : resolve(dirname(imagePath), name);
}

/** What a file holds, from its first bytes: whether it is a QED image, and its header if usable. */
export interface ImageProbe {
  /** Why the file cannot be read at all (missing, a directory, unreadable); the rest is then empty. */
  unreadable?: string;
  /** The file's length in bytes. */
  length: number;
  /** Its first four bytes are QED's magic (the header may still be unusable). */
  qed: boolean;
  /** The header, when it is a valid QED header for a file of this length. */
  header?: QedHeader;
  /** Otherwise why it is not a usable QED image ("not a QED image", "the file is too short ..."). */
  invalid?: string;
}

/** The one "is this a QED file" check: workloads, `create -b`, `serve` and backing-file probing use it. */
export function probeImageFile(path: string): ImageProbe {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { unreadable: code === 'ENOENT' ? `${path} does not exist` : `cannot open ${path}: ${whyUnreadable(err)}`, length: 0, qed: false };
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) return { unreadable: `${path} is a directory, not an image file`, length: 0, qed: false };
    const buf = new Uint8Array(HEADER_BYTES);
    const n = readSync(fd, buf, 0, HEADER_BYTES, 0);
    const qed = n >= 4 && new DataView(buf.buffer).getUint32(0, true) === QED_MAGIC;
    if (n < HEADER_BYTES) return { length: st.size, qed, invalid: 'the file is too short to be a QED image' };
    try {
      const header = parseHeader(buf);
      validateHeader(header, path, st.size, buf);
      return { length: st.size, qed, header };
    } catch (err) {
      if (err instanceof QedFormatError) return { length: st.size, qed, invalid: err.message.slice(path.length + 2) };
      throw err;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code) return { unreadable: `cannot read ${path}: ${whyUnreadable(err)}`, length: 0, qed: false };
    throw err;
  } finally {
    closeSync(fd);
  }
}
