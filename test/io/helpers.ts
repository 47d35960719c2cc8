import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { BackendError, type BlockBackend } from '../../src/io/backend.js';
import { FileBackend, type FileOpenFlags } from '../../src/io/file-backend.js';
import { MemoryBackend, MemoryStore } from '../../src/io/memory-backend.js';

/** A fresh, empty device and a way to open the same bytes again. */
export interface Device {
  backend: BlockBackend;
  reopen(readOnly: boolean): Promise<BlockBackend>;
  /** The file path, or undefined for memory. */
  path?: string;
}

export interface Kind {
  /** memory, or file-<path> for each file I/O path (file-ring-direct, file-async-direct: the ring and libuv's pool with cache: none, O_DIRECT). */
  name: string;
  create(): Promise<Device>;
}

/** A temp dir under os.tmpdir(), made by setup() and removed by teardown(). */
export class TempDir {
  dir = '';
  private n = 0;

  async setup(): Promise<void> {
    this.dir = await mkdtemp(path.join(os.tmpdir(), 'qed-bench-io-'));
  }

  async teardown(): Promise<void> {
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }

  file(prefix = 'img'): string {
    return path.join(this.dir, `${prefix}-${++this.n}.bin`);
  }
}

/** The file backend on every I/O path (the default, auto, among them), and memory. */
export const FILE_PATHS: ReadonlyArray<{ name: string; flags: FileOpenFlags }> = [
  { name: 'file-auto', flags: {} },
  { name: 'file-async', flags: { io: 'async' } },
  { name: 'file-sync', flags: { io: 'sync' } },
  { name: 'file-ring', flags: { io: 'ring' } },
  { name: 'file-adaptive', flags: { io: 'adaptive' } },
  { name: 'file-ring-direct', flags: { io: 'ring', cache: 'none' } },
  { name: 'file-async-direct', flags: { io: 'async', cache: 'none' } },
];

export function kinds(tmp: TempDir): Kind[] {
  return [
    ...FILE_PATHS.map(
      ({ name, flags }): Kind => ({
        name,
        async create() {
          const p = tmp.file();
          return {
            backend: await FileBackend.open(p, { ...flags, create: true }),
            reopen: (readOnly) => FileBackend.open(p, { ...flags, readOnly }),
            path: p,
          };
        },
      }),
    ),
    {
      name: 'memory',
      async create() {
        const store = new MemoryStore();
        return {
          backend: new MemoryBackend(store),
          reopen: async (readOnly) => new MemoryBackend(store, readOnly),
        };
      },
    },
  ];
}

/** Awaits a promise that must reject with a BackendError of `code` whose message holds each fragment. */
export async function rejectsWith(p: Promise<unknown>, code: string, ...fragments: string[]): Promise<BackendError> {
  const err = await p.then(
    () => new Error('expected a rejection, but the promise resolved'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BackendError);
  const be = err as BackendError;
  expect(be.code).toBe(code);
  for (const f of fragments) expect(be.message).toContain(f);
  return be;
}

/** Index of the first differing byte, or -1; a length mismatch counts at the shorter length. */
export function firstDiff(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

/** Asserts `actual` equals `expected`, reporting the first differing offset (not a byte dump). */
export function expectBytes(actual: Uint8Array, expected: Uint8Array, where: string): void {
  const at = firstDiff(actual, expected);
  if (at !== -1) {
    expect.fail(
      `${where}: first difference at +${at} (got ${actual[at]}, want ${expected[at]}; lengths ${actual.length}/${expected.length})`,
    );
  }
}

/** Bytes that depend on the absolute position and on which write made them, never all zero. */
export function pattern(offset: number, length: number, tag: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const h = Math.imul((offset + i) ^ Math.imul(tag + 1, 0x9e3779b1), 0x85ebca6b);
    out[i] = (h >>> 24) | 1;
  }
  return out;
}

/** A buffer pre-filled with garbage, so a read that leaves bytes alone is caught. */
export function dirty(length: number): Uint8Array {
  return new Uint8Array(length).fill(0xaa);
}

/** The reference: a growable byte array whose bytes past `size` are always zero. */
export class Model {
  private bytes = new Uint8Array(0);
  size = 0;

  write(offset: number, data: Uint8Array): void {
    if (data.length === 0) return;
    this.reserve(offset + data.length);
    this.bytes.set(data, offset);
    this.size = Math.max(this.size, offset + data.length);
  }

  truncate(size: number): void {
    if (size < this.size) this.bytes.fill(0, size, this.size);
    this.reserve(size);
    this.size = size;
  }

  read(offset: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    const end = Math.min(offset + length, this.size);
    if (end > offset) out.set(this.bytes.subarray(offset, end));
    return out;
  }

  private reserve(n: number): void {
    if (n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(n, this.bytes.length * 2));
    grown.set(this.bytes);
    this.bytes = grown;
  }
}
