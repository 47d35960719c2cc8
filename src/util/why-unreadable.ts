/** Why a file could not be opened or read, in words for a one-paragraph error. */
export function whyUnreadable(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'ENOTDIR') return 'a part of the path is not a directory';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  if (code === 'ENAMETOOLONG') return 'the name is too long';
  if (code === 'EPERM') return 'operation not permitted';
  if (code === 'EROFS') return 'the file system is read-only';
  if (code === 'ENOSPC') return 'no space left on the device';
  if (code === 'EEXIST') return 'a file of that name already exists';
  if (code === 'EMFILE' || code === 'ENFILE') return 'too many open files';
  if (code === 'EIO') return 'an I/O error';
  if (code === 'ENXIO' || code === 'ENODEV') return 'no such device';
  // <(zcat trace.gz) or a FIFO: read at offsets (a trace twice, for its extent then the replay).
  if (code === 'ESPIPE') return 'it is a pipe, not a file: it is read at offsets (a trace more than once); save it to a file first (.gz and .zst are read as they are)';
  return (err as Error).message;
}
