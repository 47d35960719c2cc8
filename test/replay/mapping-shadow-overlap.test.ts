/**
 * The mapping shadow's read check when writes to one cluster overlap: a zero-write (which
 * announces nothing) completing while a data write is still in flight must not make the state
 * before the data write illegal to read; once the cluster is quiet, only the final mapping is.
 */
import { describe, expect, it } from 'vitest';
import { MappingShadow } from '../../src/replay/mapping-shadow.js';

const CS = 65536;
const H2 = 10 * CS;

describe('mapping shadow: overlapping writes to one cluster', () => {
  it('a completed zero-write does not adopt an in-flight data write as the only legal mapping', async () => {
    const m = new MappingShadow(CS, 8192);
    const z = m.beginWrite(0, CS); // zero-write: makes a zero cluster, announces no host
    const w = m.beginWrite(0, 4096); // data write: allocates H2
    m.onDataRun('write', 0, 4096, H2);
    m.endWrite(z, 0, CS, true, true);
    m.onDataRun('read', 0, 4096, 0); // before w lands: the zero cluster is still legal
    m.onDataRun('read', 0, 4096, H2); // and so is w's cluster
    m.endWrite(w, 0, 4096, true);
    m.onDataRun('read', 0, 4096, H2);
    m.onDataRun('read', 0, 4096, 0); // quiet now: unmapped is a stale read
    const r = await m.verify({ l2TableForMap: async () => null } as never, () => false);
    expect(r.staleReads).toBe(1);
    expect(r.violations[0]).toMatchObject({ kind: 'stale-read', offset: 0 });
  });
});

describe('mapping shadow: memory follows the footprint', () => {
  it('a write in each of 100 tables holds a small page each, not a whole table; power cuts add the first-mapped slot', async () => {
    const per = 32768; // clusters a table maps at 64 KiB clusters, table_size 4
    const held = (durability: boolean) => {
      const m = new MappingShadow(CS, per, durability);
      for (let t = 0; t < 100; t++) {
        const at = (t * per + 1000) * CS;
        const s = m.beginWrite(at, 4096);
        m.onDataRun('write', at, 4096, (t + 1) * CS);
        m.endWrite(s, at, 4096, true);
      }
      return m.heldBytes;
    };
    expect(held(false)).toBe(100 * 512 * 8);
    expect(held(true)).toBe(100 * 512 * 12);
  });

  it('finds a lost write in any page of a table, naming the write', async () => {
    const per = 32768;
    const m = new MappingShadow(CS, per);
    const at = (per + 5000) * CS; // table 1, its tenth page
    const s = m.beginWrite(at, 4096);
    m.onDataRun('write', at, 4096, H2);
    m.endWrite(s, at, 4096, true);
    const table = new Float64Array(per); // table 1 loads with every entry 0: the L2 update was lost
    const r = await m.verify({ l2TableForMap: async (l1: number) => (l1 === 1 ? table : null) } as never);
    expect(r.verdict).toBe('failed');
    expect(r.violations[0]).toMatchObject({ kind: 'lost-write', offset: at, expected: `w#${s} (mapped)` });
    table[5000] = H2;
    expect((await m.verify({ l2TableForMap: async () => table } as never)).verdict).toBe('passed');
  });
});
