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
