import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readTableTrace, readTableTraceBatches } from '../../src/cache/table-trace.js';
import { tempDirs } from '../helpers/tmp.js';

// The .tables reader parses in batches with state carried across chunks: whatever the chunk
// size, it must read exactly the ids a line-by-line reading gives, and name the same bad line.

const tmp = tempDirs();

async function readAll(path: string, chunkBytes?: number): Promise<{ ids: number[]; count: number } | { error: string }> {
  const ids: number[] = [];
  try {
    const count = await readTableTraceBatches(path, (b, n) => ids.push(...b.subarray(0, n)), chunkBytes);
    return { ids, count };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Lines as a reader of one id per line takes them. */
function reference(text: string): number[] | null {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const out: number[] = [];
  for (const l of lines) {
    const m = /^(\d+)\r?$/.exec(l);
    if (!m || Number(m[1]) > Number.MAX_SAFE_INTEGER) return null;
    out.push(Number(m[1]));
  }
  return out;
}

const idArb = fc.oneof(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 2 ** 40 }).map((k) => k * 4096), fc.constant(Number.MAX_SAFE_INTEGER));

describe('readTableTraceBatches', () => {
  it('reads every id of a valid file, whatever the chunk size (LF or CRLF, with or without a final newline)', async () => {
    const dir = await tmp();
    let files = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(idArb, { minLength: 1, maxLength: 300 }), fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 64 }), async (ids, crlf, finalNewline, chunk) => {
        const nl = crlf ? '\r\n' : '\n';
        const text = ids.join(nl) + (finalNewline ? nl : '');
        const path = join(dir, `t${files++}.tables`);
        await writeFile(path, text);
        expect(reference(text)).toEqual(ids);
        expect(await readAll(path, chunk)).toEqual({ ids, count: ids.length });
        expect(await readAll(path)).toEqual({ ids, count: ids.length });
      }),
      { numRuns: 150 },
    );
  });

  it('names the same bad line whatever the chunk size, and reads ids only up to it', async () => {
    const dir = await tmp();
    let files = 0;
    const junkArb = fc.constantFrom('', 'x', '-1', '1 2', '12a', '\r\r', '99999999999999999999', ' 5', '5\r7');
    await fc.assert(
      fc.asyncProperty(fc.array(idArb, { maxLength: 60 }), junkArb, fc.array(idArb, { maxLength: 20 }), fc.integer({ min: 1, max: 48 }), async (before, junk, after, chunk) => {
        const text = [...before.map(String), junk, ...after.map(String)].join('\n') + '\n';
        const path = join(dir, `b${files++}.tables`);
        await writeFile(path, text);
        expect(reference(text)).toBeNull();
        const whole = await readAll(path);
        expect(whole).toHaveProperty('error');
        expect((whole as { error: string }).error).toContain(`${path}:${before.length + 1}: expected a table id`);
        expect(await readAll(path, chunk)).toEqual(whole);
        const seen: number[] = [];
        await expect(readTableTrace(path, (t) => seen.push(t))).rejects.toThrow(`${path}:${before.length + 1}: expected a table id`);
        expect(seen).toEqual(before);
      }),
      { numRuns: 150 },
    );
  });
});
