/** Benchmark helper: runs requests at a queue depth (lanes sharing one cursor) and times them. */
import { elapsedNs } from './samples.js';

/**
 * Runs `io` once per offset with `depth` lanes sharing one cursor; each lane awaits its own
 * request, so `depth` stay in flight. Each lane owns one buffer of `bytes`. Returns nanoseconds
 * from the first request to the last completion.
 */
export async function atDepth(
  offsets: Float64Array,
  depth: number,
  bytes: number,
  io: (buf: Uint8Array, offset: number) => Promise<unknown>,
  fill = 0,
): Promise<number> {
  let next = 0;
  const bufs = Array.from({ length: depth }, () => new Uint8Array(bytes).fill(fill));
  const t0 = process.hrtime.bigint();
  await Promise.all(
    bufs.map(async (buf) => {
      while (next < offsets.length) await io(buf, offsets[next++]);
    }),
  );
  return elapsedNs(t0);
}
