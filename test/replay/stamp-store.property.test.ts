// The stamp-backed memory store (a full replay's image) against a plain byte array: same bytes for any write/read/copy/truncate sequence.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/io/memory-backend.js';
import { SECTOR, STAMP_CODEC, stampBuffer } from '../../src/replay/stamp.js';
import { Model } from '../io/helpers.js';

const DEVICE = 96 * 1024; // spans a page edge (64 KiB) and several raw blocks (4 KiB)

type Data =
  | { kind: 'stamps'; sector: number; sectors: number; seq: number; seed: number; from: number; len: number }
  | { kind: 'bytes'; len: number; fill: number }
  | { kind: 'zeros'; len: number }
  | { kind: 'torn-stamp'; sector: number; seq: number; at: number };

type Op =
  | { op: 'write'; offset: number; data: Data; skew: number }
  | { op: 'read'; offset: number; len: number; skew: number }
  | { op: 'copy'; from: number; to: number; len: number }
  | { op: 'truncate'; size: number };

const seqArb = fc.integer({ min: 1, max: 0x7ffffffe });
const dataArb: fc.Arbitrary<Data> = fc.oneof(
  // Stamps, whole or a slice of them (partial sectors at either end); sometimes past 2^32 sectors.
  fc.record({
    kind: fc.constant('stamps' as const),
    sector: fc.oneof(fc.integer({ min: 0, max: 4096 }), fc.constant(2 ** 32 + 5)),
    sectors: fc.integer({ min: 1, max: 24 }),
    seq: seqArb,
    seed: fc.integer({ min: 0, max: 0xffffffff }),
    from: fc.oneof(fc.constant(0), fc.constant(SECTOR), fc.integer({ min: 0, max: 700 })),
    len: fc.integer({ min: 1, max: 24 * SECTOR }),
  }),
  fc.record({ kind: fc.constant('bytes' as const), len: fc.integer({ min: 1, max: 9000 }), fill: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant('zeros' as const), len: fc.integer({ min: 1, max: 9000 }) }),
  fc.record({ kind: fc.constant('torn-stamp' as const), sector: fc.integer({ min: 0, max: 4096 }), seq: seqArb, at: fc.integer({ min: 0, max: SECTOR - 1 }) }),
);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('write' as const), offset: fc.oneof(fc.integer({ min: 0, max: DEVICE / SECTOR }).map((s) => s * SECTOR), fc.integer({ min: 0, max: DEVICE })), data: dataArb, skew: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('read' as const), offset: fc.integer({ min: 0, max: DEVICE }), len: fc.integer({ min: 1, max: 20_000 }), skew: fc.integer({ min: 0, max: 3 }) }) },
  // Whole 4 KiB blocks: the store's copy-a-block path.
  { weight: 2, arbitrary: fc.record({ op: fc.constant('read' as const), offset: fc.integer({ min: 0, max: DEVICE / 4096 }).map((b) => b * 4096), len: fc.integer({ min: 1, max: 5 }).map((n) => n * 4096), skew: fc.constant(0) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('copy' as const), from: fc.integer({ min: 0, max: DEVICE }), to: fc.integer({ min: 0, max: DEVICE }), len: fc.integer({ min: 1, max: 20_000 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('truncate' as const), size: fc.integer({ min: 0, max: DEVICE }) }) },
);

/** `len` bytes at byteOffset `skew` of a larger buffer (unaligned views are legal inputs). */
function skewed(len: number, skew: number): Uint8Array {
  return new Uint8Array(len + skew).subarray(skew);
}

function materialize(d: Data, skew: number): Uint8Array {
  if (d.kind === 'stamps') {
    const all = new Uint8Array(d.sectors * SECTOR);
    stampBuffer(all, d.sector * SECTOR, d.seq, d.seed);
    const from = Math.min(d.from, all.length - 1);
    const piece = all.subarray(from, Math.min(all.length, from + d.len));
    const out = skewed(piece.length, skew);
    out.set(piece);
    return out;
  }
  if (d.kind === 'bytes') return skewed(d.len, skew).fill(d.fill);
  if (d.kind === 'zeros') return skewed(d.len, skew);
  const out = skewed(SECTOR, skew);
  const whole = new Uint8Array(SECTOR);
  stampBuffer(whole, d.sector * SECTOR, d.seq, 7);
  whole[d.at] ^= 0x01;
  out.set(whole);
  return out;
}

describe('stamp-backed memory store', () => {
  it('returns the same bytes as a plain byte store for random write/read/copy/truncate sequences', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 40 }), (ops) => {
        const store = new MemoryStore(STAMP_CODEC);
        const plain = new Model(); // the reference: every byte kept as it is
        for (const o of ops) {
          if (o.op === 'write') {
            const buf = materialize(o.data, o.skew);
            store.copyIn(buf, o.offset);
            plain.write(o.offset, buf);
          } else if (o.op === 'read') {
            const a = skewed(o.len, o.skew).fill(0xee);
            store.copyOut(a, o.offset);
            expect(Buffer.from(a).equals(Buffer.from(plain.read(o.offset, o.len)))).toBe(true);
          } else if (o.op === 'copy') {
            // What an engine does with data it moves (a copy-on-write fill, a backing read): read, then write elsewhere.
            const a = new Uint8Array(o.len);
            store.copyOut(a, o.from);
            store.copyIn(a, o.to);
            plain.write(o.to, plain.read(o.from, o.len));
          } else {
            store.truncate(o.size);
            plain.truncate(o.size);
          }
          expect(store.length).toBe(plain.size);
        }
        const all = new Uint8Array(DEVICE + 30_000);
        store.copyOut(all, 0);
        expect(Buffer.from(all).equals(Buffer.from(plain.read(0, all.length)))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps a stamped sector as 16 bytes and a zero sector as nothing; other bytes as they are', () => {
    const store = new MemoryStore(STAMP_CODEC);
    const data = new Uint8Array(1 << 20); // 1 MiB of stamps
    stampBuffer(data, 123 * SECTOR, 9, 42);
    store.copyIn(data, 5 << 20);
    store.copyIn(new Uint8Array(1 << 20), 9 << 20); // zeros
    expect(store.heldBytes).toBeLessThan(40_000); // 2048 sectors x 16 bytes, plus per-page state
    const back = new Uint8Array(1 << 20);
    store.copyOut(back, 5 << 20);
    expect(Buffer.from(back).equals(Buffer.from(data))).toBe(true);

    const plain = new MemoryStore(); // no codec: stamps are just bytes
    plain.copyIn(data, 5 << 20);
    expect(plain.heldBytes).toBeGreaterThanOrEqual(1 << 20);
  });
});
