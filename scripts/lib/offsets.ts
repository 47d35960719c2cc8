/** Request offsets shared by the bench scripts, so every variant touches the same blocks. */

/** Block-aligned offsets from a seeded xorshift32, uniform over `blocks` blocks. */
export function randomOffsets(count: number, blocks: number, block: number, seed = 0x9e3779b9): Float64Array {
  const out = new Float64Array(count);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = (x % blocks) * block;
  }
  return out;
}

/**
 * What `qemu-img bench -S stride` issues: 0, stride, 2·stride, ... modulo `span`. With a stride
 * that is an odd number of blocks and a power-of-two span, every block is visited once per
 * span/block requests.
 */
export function stridedOffsets(count: number, span: number, stride: number): Float64Array {
  const out = new Float64Array(count);
  let pos = 0;
  for (let i = 0; i < count; i++) {
    out[i] = pos;
    pos = (pos + stride) % span;
  }
  return out;
}

/** 0, step, 2·step, ...: sequential requests of `step` bytes. */
export function sequentialOffsets(count: number, step: number): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = i * step;
  return out;
}
