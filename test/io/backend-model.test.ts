import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlockBackend } from '../../src/io/backend.js';
import { dirty, expectBytes, kinds, Model, pattern, TempDir } from './helpers.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const MEMORY_PAGE = 64 * KiB; // MemoryStore's page: edges around it are where copies split

type Op =
  | { kind: 'write'; offset: number; length: number }
  | { kind: 'truncate'; size: number }
  | { kind: 'read'; offset: number; length: number };

// Offsets: anywhere in 4 MiB, inside a small hot region (so writes overlap), or near a page edge.
const offsetArb = fc.oneof(
  fc.integer({ min: 0, max: 4 * MiB }),
  fc.integer({ min: 0, max: 192 * KiB }),
  fc
    .tuple(fc.integer({ min: 1, max: 64 }), fc.integer({ min: -24, max: 24 }))
    .map(([page, delta]) => Math.max(0, page * MEMORY_PAGE + delta)),
);
const lengthArb = fc.oneof(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 160 * KiB }));

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('write' as const), offset: offsetArb, length: lengthArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), size: offsetArb }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('read' as const),
      offset: fc.oneof(offsetArb, fc.integer({ min: 4 * MiB, max: 5 * MiB })),
      length: fc.oneof(lengthArb, fc.constant(0)),
    }),
  },
);

async function checkRead(b: BlockBackend, model: Model, offset: number, length: number, where: string): Promise<void> {
  const buf = dirty(length);
  await b.read(buf, offset);
  expectBytes(buf, model.read(offset, length), `${where}: read ${length} at ${offset} (size ${model.size})`);
}

/** Everything a reader can see: size, all bytes, a read straddling the end, a read wholly past it. */
async function checkWhole(b: BlockBackend, model: Model, where: string): Promise<void> {
  expect(await b.size(), `${where}: size`).toBe(model.size);
  await checkRead(b, model, 0, model.size + 4 * KiB, `${where}: whole`);
  const straddle = Math.max(0, model.size - 37);
  const tail = dirty(100);
  await b.read(tail, straddle);
  expectBytes(tail, model.read(straddle, 100), `${where}: straddling the end`);
  expect(tail.subarray(model.size - straddle).every((x) => x === 0), `${where}: zeros after the end`).toBe(true);
  const past = dirty(8 * KiB);
  await b.read(past, model.size + 4096);
  expect(past.every((x) => x === 0), `${where}: wholly past the end`).toBe(true);
}

const tmp = new TempDir();
beforeAll(() => tmp.setup());
afterAll(() => tmp.teardown());

describe.each(kinds(tmp))('$name backend against a byte-array model', (kind) => {
  it('random writes, truncates and reads agree with the model, and survive reopening', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), async (ops) => {
        const dev = await kind.create();
        const model = new Model();
        try {
          for (const [i, op] of ops.entries()) {
            const where = `op ${i} ${op.kind}`;
            if (op.kind === 'write') {
              const data = pattern(op.offset, op.length, i);
              await dev.backend.write(data, op.offset);
              model.write(op.offset, data);
            } else if (op.kind === 'truncate') {
              await dev.backend.truncate(op.size);
              model.truncate(op.size);
            } else {
              await checkRead(dev.backend, model, op.offset, op.length, where);
            }
          }
          await checkWhole(dev.backend, model, 'after the ops');
        } finally {
          await dev.backend.close();
        }
        const again = await dev.reopen(true);
        try {
          await checkWhole(again, model, 'reopened read-only');
        } finally {
          await again.close();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('reads far past the end return zeros and do not grow the device', async () => {
    const dev = await kind.create();
    try {
      await dev.backend.write(pattern(0, 10, 1), 0);
      const buf = dirty(4096);
      await dev.backend.read(buf, 2 ** 40);
      expect(buf.every((x) => x === 0)).toBe(true);
      expect(await dev.backend.size()).toBe(10);
    } finally {
      await dev.backend.close();
    }
  });

  it('an empty write past the end does not grow the device', async () => {
    const dev = await kind.create();
    try {
      await dev.backend.write(pattern(0, 10, 1), 0);
      await dev.backend.write(new Uint8Array(0), 1 * MiB);
      expect(await dev.backend.size()).toBe(10);
    } finally {
      await dev.backend.close();
    }
  });

  it('truncating up reads as zeros, and shrinking then growing does not resurrect old bytes', async () => {
    const dev = await kind.create();
    const b = dev.backend;
    try {
      const data = pattern(0, 200 * KiB, 7);
      await b.write(data, 0);
      await b.truncate(70 * KiB); // cuts inside MemoryStore's second page
      await b.truncate(300 * KiB);
      expect(await b.size()).toBe(300 * KiB);
      const buf = dirty(300 * KiB);
      await b.read(buf, 0);
      expectBytes(buf.subarray(0, 70 * KiB), data.subarray(0, 70 * KiB), 'kept prefix');
      expect(buf.subarray(70 * KiB).every((x) => x === 0), 'bytes cut off and regrown are zeros').toBe(true);
    } finally {
      await b.close();
    }
  });
});
