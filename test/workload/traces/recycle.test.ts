/** TraceReader.recycle: batches handed back are filled again with later chunks, giving the same rows as fresh ones. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RequestBatch } from '../../../src/workload/traces/batch.js';
import { formatByName } from '../../../src/workload/traces/formats.js';
import { TraceReader } from '../../../src/workload/traces/reader.js';
import { encodeTrace } from '../../../src/workload/traces/writer.js';
import type { TraceRequest } from '../../../src/workload/traces/types.js';
import { tempDirs } from '../../helpers/tmp.js';

const tmp = tempDirs();

/** Every row of every batch, in order, and how many distinct batch objects carried them. */
async function rows(file: string, recycle: boolean): Promise<{ rows: TraceRequest[]; batches: number }> {
  const reader = new TraceReader(file);
  const out: TraceRequest[] = [];
  const seen = new Set<RequestBatch>();
  for await (const b of reader.columns()) {
    seen.add(b);
    for (let i = 0; i < b.n; i++) out.push(b.get(i));
    if (recycle) reader.recycle(b);
  }
  return { rows: out, batches: seen.size };
}

describe('TraceReader.recycle', () => {
  it('a 4 MiB trace read with recycling reuses its batches and gives the rows fresh batches give', async () => {
    const reqs: TraceRequest[] = Array.from({ length: 80_000 }, (_, i) => ({ time: i * 100, op: i % 3 ? 'read' : 'write', offset: (i * 7919 % 100_000) * 4096, length: 4096 * (1 + (i % 4)), device: String(i % 2), line: 0 }));
    const file = join(await tmp(), 'hm_0.csv');
    await writeFile(file, encodeTrace(formatByName('msr')!, reqs));
    const fresh = await rows(file, false);
    const reused = await rows(file, true);
    expect(fresh.batches).toBeGreaterThan(2);
    expect(reused.batches).toBe(1); // handed back before the next is read: one batch, refilled
    expect(reused.rows).toEqual(fresh.rows);
    expect(reused.rows.length).toBe(reqs.length);
  });
});
