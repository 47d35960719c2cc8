import { readFile, stat, writeFile } from 'node:fs/promises';

/** Patch bytes of a file in place (to corrupt an image on purpose). */
export async function patchFile(path: string, offset: number, bytes: Uint8Array): Promise<void> {
  const buf = await readFile(path);
  buf.set(bytes, offset);
  await writeFile(path, buf);
}

export function u64le(value: number | bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(value), true);
  return b;
}

export function u32le(value: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value, true);
  return b;
}

/** Bytes and mtime, to prove a command did not write. */
export async function fingerprint(path: string): Promise<{ bytes: string; mtimeMs: number }> {
  const [buf, st] = await Promise.all([readFile(path), stat(path)]);
  return { bytes: buf.toString('base64'), mtimeMs: st.mtimeMs };
}
