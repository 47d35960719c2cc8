/**
 * Split [offset, offset + length) at multiples of `chunkSize`: for each piece, the chunk
 * index, the offset inside the chunk, the bytes done before it and its length.
 */
export function forEachChunk(
  offset: number,
  length: number,
  chunkSize: number,
  f: (index: number, inChunk: number, done: number, n: number) => void,
): void {
  let done = 0;
  while (done < length) {
    const pos = offset + done;
    const index = Math.floor(pos / chunkSize);
    const inChunk = pos - index * chunkSize;
    const n = Math.min(chunkSize - inChunk, length - done);
    f(index, inChunk, done, n);
    done += n;
  }
}
