import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hashOf, NodeIndex } from '../../src/cache/node-index.js';
import { Node } from '../../src/cache/policies/dlist.js';

// The cache's and the ghost lists' index must behave as a Map from key to node, whatever the
// keys (table offsets beyond 2^32, negative, fractional) and however long the run of changes.

const keyArb = fc.oneof(
  fc.integer({ min: -50, max: 50 }),
  fc.integer({ min: 0, max: 64 }).map((k) => k * 2 ** 18),
  fc.integer({ min: 0, max: 8 }).map((k) => k * 2 ** 40 + 7),
  fc.double({ noNaN: true }),
);

describe('NodeIndex behaves as a Map of numbers to nodes', () => {
  it('get/has/add/delete/size/values agree with Map on random operations', () => {
    // 'delete-nth' deletes the n-th key present, so runs delete whatever keys were drawn (a delete
    // by drawn key alone hit nothing in a whole 300-run assert once: fast-check's arrays are short).
    const opArb = fc.oneof(fc.tuple(fc.constantFrom('add', 'delete', 'get'), keyArb), fc.tuple(fc.constant('delete-nth'), fc.nat()));
    let deletes = 0;
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 600 }), fc.integer({ min: 0, max: 40 }), (ops, expected) => {
        const m = new Map<number, Node>();
        const ix = new NodeIndex<Node>(expected);
        for (const [drawn, key] of ops) {
          const op = drawn === 'delete-nth' ? 'delete' : drawn;
          const k = drawn === 'delete-nth' ? ([...m.keys()][key % Math.max(1, m.size)] ?? 0) : key;
          if (op === 'add') {
            // add takes keys not indexed yet (as the cache does after a miss)
            if (m.has(k)) continue;
            const n = new Node(k);
            m.set(k, n);
            ix.add(n);
          } else if (op === 'delete') {
            const n = m.get(k);
            if (n === undefined) continue;
            m.delete(k);
            ix.delete(n);
            deletes++;
            expect(n.hnext).toBe(null);
          } else {
            expect(ix.get(k)).toBe(m.get(k));
            expect(ix.has(k)).toBe(m.has(k));
          }
          expect(ix.size).toBe(m.size);
        }
        for (const [k, n] of m) expect(ix.get(k)).toBe(n);
        const byKey = (a: Node, b: Node): number => a.key - b.key;
        expect(ix.values().sort(byKey)).toEqual([...m.values()].sort(byKey));
      }),
      { numRuns: 300 },
    );
    expect(deletes).toBeGreaterThan(0);
  });

  it('finds keys after a node is moved from one index to another (a ghost taking a key)', () => {
    fc.assert(
      fc.property(fc.uniqueArray(keyArb, { minLength: 1, maxLength: 200, comparator: 'SameValueZero' }), (keys) => {
        const a = new NodeIndex<Node>();
        const b = new NodeIndex<Node>();
        const nodes = keys.map((k) => new Node(k));
        nodes.forEach((n) => a.add(n));
        nodes.forEach((n, i) => {
          if (i % 2 === 0) {
            a.delete(n);
            b.add(n);
          }
        });
        nodes.forEach((n, i) => {
          expect(a.get(n.key)).toBe(i % 2 === 0 ? undefined : n);
          expect(b.get(n.key)).toBe(i % 2 === 0 ? n : undefined);
        });
      }),
    );
  });

  it('hashOf is a whole number below 2^30, the same for -0 and 0 (the index treats keys as a Map does)', () => {
    fc.assert(
      fc.property(fc.array(keyArb, { minLength: 2, maxLength: 50 }), (keys) => {
        for (const h of keys.map(hashOf)) expect(Number.isInteger(h) && h >= 0 && h < 2 ** 30).toBe(true);
      }),
    );
    expect(hashOf(-0)).toBe(hashOf(0));
  });

  it('spreads table offsets (multiples of 256 KiB, below and past 2^32) over the buckets', () => {
    // Every bucket of a 128-bucket index (the cache's at capacity 50) gets some of 1000 tables.
    for (const base of [0, 2 ** 40]) {
      const used = new Set<number>();
      for (let t = 0; t < 1000; t++) used.add(hashOf(base + t * 2 ** 18) >>> 23);
      expect(used.size).toBe(128);
    }
  });

  it('refuses a NaN key and a node it does not hold', () => {
    expect(() => new NodeIndex().add(new Node(Number.NaN))).toThrow(/NaN/);
    const ix = new NodeIndex<Node>();
    ix.add(new Node(1));
    expect(() => ix.delete(new Node(17))).toThrow(/not indexed/);
  });
});
