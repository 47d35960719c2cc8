/** Opening an image for one CLI command and closing it on every path. */
import { openImageFile, type FileOpenOptions } from '../qed/open-file.js';
import type { OpenOptions } from '../qed/image.js';
import type { QedImage } from '../qed/image.js';

/** Open, use, close: the image is closed on every path; an error from `fn` wins over one from close. */
export async function withImage<T>(
  path: string,
  opts: FileOpenOptions,
  fn: (img: QedImage) => Promise<T>,
): Promise<T> {
  const img = await openImageFile(path, opts);
  let result: T;
  try {
    result = await fn(img);
  } catch (err) {
    await img.close().catch(() => undefined);
    throw err;
  }
  await img.close();
  return result;
}

/** Opened only to be looked at: never written, never repaired. */
export const READ_ONLY: Omit<OpenOptions, 'openBacking'> = { readOnly: true, repairOnOpen: false };
