/** readSparse (ZeroIndex + SparseBuffer) gives the bytes a plain read gives, on reused buffers (and re-read ones, which it may not copy again); decoded() agrees. */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { MemoryBackend, MemoryStore } from '../../src/io/memory-backend.js';
import { MetadataBackend } from '../../src/io/metadata-backend.js';
import { SparseMemoryBackend } from '../../src/io/sparse-memory-backend.js';
import { SPARSE_CHUNK } from '../../src/io/sparse-buffer.js';
import { ZeroIndex } from '../../src/io/zero-index.js';
import { L2Table } from '../../src/qed/l2-table.js';
import { decodeTable } from '../../src/qed/table.js';

const DEVICE = 64 * SPARSE_CHUNK;
const TABLE = 8 * SPARSE_CHUNK;

const op = fc.oneof(
  fc.record({ kind: fc.constant('write' as const), offset: fc.nat({ max: DEVICE - 1 }), length: fc.integer({ min: 1, max: 3 * SPARSE_CHUNK }), byte: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 255 })) }),
  fc.record({ kind: fc.constant('read' as const), table: fc.nat({ max: 1 }), offset: fc.oneof(fc.nat({ max: DEVICE / SPARSE_CHUNK - 8 }).map((c) => c * SPARSE_CHUNK), fc.nat({ max: DEVICE - TABLE })) }),
  fc.record({ kind: fc.constant('set' as const), table: fc.nat({ max: 1 }), index: fc.nat({ max: TABLE / 8 - 1 }), value: fc.maxSafeNat() }),
  fc.record({ kind: fc.constant('clear' as const), table: fc.nat({ max: 1 }) }),
  // The table's last offset again: no copy when nothing wrote the device or the buffer since.
  fc.record({ kind: fc.constant('reread' as const), table: fc.nat({ max: 1 }) }),
  fc.record({ kind: fc.constant('truncate' as const), size: fc.nat({ max: DEVICE }) }),
);

describe('readSparse', () => {
  for (const [name, make] of [
    ['SparseMemoryBackend', (s: MemoryStore) => new SparseMemoryBackend(s)],
    ['MetadataBackend (metadata events)', (s: MemoryStore) => new MetadataBackend(s)],
  ] as const) {
    it(`${name}: reused tables read, set and cleared match a plain store; dirty marks cover every non-zero chunk`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), fc.uint8Array({ minLength: 1, maxLength: 300 }), async (ops, pre) => {
          const store = new MemoryStore();
          const twin = new MemoryStore();
          // Bytes already in the store before the backend opens (createImage writes through another backend).
          store.copyIn(pre, 100);
          twin.copyIn(pre, 100);
          const io = make(store);
          const plain = new MemoryBackend(twin);
          const tables = [new L2Table(TABLE), new L2Table(TABLE)];
          const want = [new Uint8Array(TABLE), new Uint8Array(TABLE)];
          const last = [0, 0];
          for (const o of ops) {
            if (o.kind === 'write') {
              const buf = new Uint8Array(Math.min(o.length, DEVICE - o.offset)).fill(o.byte);
              await io.write(buf, o.offset, 'l2_update');
              await plain.write(buf, o.offset);
            } else if (o.kind === 'read' || o.kind === 'reread') {
              const at = o.kind === 'read' ? (last[o.table] = o.offset) : last[o.table];
              await io.readSparse(tables[o.table], at, 'l2_load');
              await plain.read(want[o.table], at);
            } else if (o.kind === 'set') {
              tables[o.table].set(o.index, o.value);
              new DataView(want[o.table].buffer).setBigUint64(o.index * 8, BigInt(o.value), true);
            } else if (o.kind === 'clear') {
              tables[o.table].clear();
              want[o.table].fill(0);
            } else {
              await io.truncate(o.size);
              await plain.truncate(o.size);
            }
            for (const t of [0, 1]) {
              expect(Buffer.compare(tables[t].bytes, want[t])).toBe(0);
              expect(Array.from(tables[t].decoded())).toEqual(Array.from(decodeTable(want[t])));
              for (let c = 0; c < TABLE / SPARSE_CHUNK; c++) {
                if (tables[t].dirty[c] === 0) expect(want[t].subarray(c * SPARSE_CHUNK, (c + 1) * SPARSE_CHUNK).every((b) => b === 0)).toBe(true);
              }
            }
          }
        }),
        { numRuns: 150 },
      );
    });
  }

  it('metadata-only data requests still refuse a closed device, a read-only write and a bad offset', async () => {
    const ro = new MetadataBackend(new MemoryStore(), true);
    await expect(ro.write(new Uint8Array(8), 0, 'write_aio')).rejects.toMatchObject({ code: 'EROFS' });
    await expect(ro.read(new Uint8Array(8), -1, 'read_aio')).rejects.toMatchObject({ code: 'EINVAL' });
    await ro.close();
    await expect(ro.read(new Uint8Array(8), 0, 'read_aio')).rejects.toMatchObject({ code: 'EBADF' });
  });

  it('a re-read of bytes a buffer still holds copies nothing; a write to the device, or to the buffer, makes it copy again', () => {
    const io = new SparseMemoryBackend(new MemoryStore());
    io.writeSync(new Uint8Array(8).fill(7), 3 * SPARSE_CHUNK);
    const t = new L2Table(TABLE);
    const copies = vi.spyOn(ZeroIndex.prototype, 'readInto');
    io.readSparseSync(t, 0);
    io.readSparseSync(t, 0);
    expect(copies).toHaveBeenCalledTimes(1);
    io.writeSync(new Uint8Array(8).fill(9), 5 * SPARSE_CHUNK); // elsewhere: the store's generation moves
    io.readSparseSync(t, 0);
    expect(copies).toHaveBeenCalledTimes(2);
    expect(t.bytes[5 * SPARSE_CHUNK]).toBe(9);
    t.set(0, 1);
    io.readSparseSync(t, 0);
    expect(copies).toHaveBeenCalledTimes(3);
    expect(t.get(0)).toBe(0);
    expect(t.bytes[3 * SPARSE_CHUNK]).toBe(7);
    copies.mockRestore();
  });

  it('a metadata-only data read clears the buffer', async () => {
    const io = new MetadataBackend(new MemoryStore());
    const t = new L2Table(TABLE);
    t.set(5, 123);
    await io.readSparse(t, 0, 'read_aio');
    expect(t.bytes.every((b) => b === 0)).toBe(true);
    expect(Array.from(t.dirty).every((d) => d === 0)).toBe(true);
  });
});
