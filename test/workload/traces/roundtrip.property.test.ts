// Any stream of requests a format can express, written in that format and read back, is the same stream.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatByName } from '../../../src/workload/traces/formats.js';
import { readAll } from '../../../src/workload/traces/reader.js';
import type { TraceOp, TraceRequest } from '../../../src/workload/traces/types.js';
import { encodeTrace } from '../../../src/workload/traces/writer.js';
import { tempDirs } from '../../helpers/tmp.js';

const tmp = tempDirs();

interface Caps {
  /** Time granularity in ns. */
  tick: number;
  /** Offset and length unit in bytes. */
  unit: number;
  ops: TraceOp[];
  devices: string[];
  /** File name the format is detected from. */
  name: string;
}

const CAPS: Record<string, Caps> = {
  iolog: { tick: 1000, unit: 1, ops: ['read', 'write', 'trim', 'flush'], devices: ['/dev/sda', '/tmp/f1'], name: 'a.iolog' },
  blkparse: { tick: 1, unit: 512, ops: ['read', 'write', 'trim', 'flush'], devices: ['8,0', '259,3'], name: 'a.blkparse.txt' },
  blktrace: { tick: 1, unit: 512, ops: ['read', 'write', 'trim', 'flush'], devices: ['8,0', '259,3'], name: 'a.blktrace' },
  msr: { tick: 100, unit: 1, ops: ['read', 'write'], devices: ['0', '12'], name: 'hm_0.csv' },
  alibaba: { tick: 1000, unit: 1, ops: ['read', 'write'], devices: ['3', '771'], name: 'alibaba.csv' },
  tencent: { tick: 1e9, unit: 512, ops: ['read', 'write'], devices: ['1063', '5'], name: 'cbs.csv' },
  systor: { tick: 1000, unit: 1, ops: ['read', 'write'], devices: ['0', '4'], name: 'systor.csv' },
  k5cloud: { tick: 1, unit: 1, ops: ['read', 'write'], devices: ['1', '22'], name: 'k5.csv' },
  'oracle-general': { tick: 1e9, unit: 1, ops: ['read'], devices: ['0'], name: 'x.oracleGeneral' },
  csv: { tick: 1, unit: 1, ops: ['read', 'write', 'trim', 'flush'], devices: ['0', 'vol7'], name: 'x.csv' },
};

function requests(c: Caps): fc.Arbitrary<TraceRequest[]> {
  const one = fc.record({
    gap: fc.integer({ min: 0, max: 3_000_000 }),
    op: fc.constantFrom(...c.ops),
    offset: fc.integer({ min: 0, max: 2 ** 40 / c.unit }),
    length: fc.integer({ min: 1, max: 2048 }),
    device: fc.constantFrom(...c.devices),
  });
  return fc.array(one, { minLength: 1, maxLength: 40 }).map((xs) => {
    let time = 0;
    return xs.map((x, i) => {
      if (i > 0) time += x.gap * c.tick;
      const flush = x.op === 'flush';
      return { time, op: x.op, offset: flush ? 0 : x.offset * c.unit, length: flush ? 0 : x.length * c.unit, device: x.device, line: 0 };
    });
  });
}

const strip = (rs: TraceRequest[]) => rs.map(({ line: _l, ...r }) => r);

describe('trace formats: write then read gives the same requests', () => {
  for (const [name, caps] of Object.entries(CAPS)) {
    it(name, async () => {
      const dir = await tmp();
      const format = formatByName(name)!;
      await fc.assert(
        fc.asyncProperty(requests(caps), fc.boolean(), async (reqs, gz) => {
          const file = join(dir, gz ? `${caps.name}.gz` : caps.name);
          const bytes = encodeTrace(format, reqs);
          await writeFile(file, gz ? gzipSync(bytes) : bytes);
          // Detected from name and content, except the generic CSV, which is never guessed.
          const back = await readAll(file, name === 'csv' ? { format: 'csv' } : {});
          expect(strip(back)).toEqual(strip(reqs));
        }),
        { numRuns: 30 },
      );
    });
  }
});

describe('trace formats: traces of several 1 MiB chunks (lines cut between chunks, carried over)', () => {
  for (const name of ['msr', 'iolog', 'tencent']) {
    it(name, async () => {
      const caps = CAPS[name];
      const dir = await tmp();
      const reqs = fc.sample(requests(caps), { numRuns: 16000, seed: 7 }).flat();
      let time = 0;
      const ordered = reqs.map((r) => ({ ...r, time: (time += caps.tick) - caps.tick })); // from 0, never back across samples
      const text = encodeTrace(formatByName(name)!, ordered);
      expect(text.length).toBeGreaterThan(2 * 1048576);
      for (const gz of [false, true]) {
        const file = join(dir, gz ? `${caps.name}.gz` : caps.name);
        await writeFile(file, gz ? gzipSync(text) : text);
        expect(strip(await readAll(file)), gz ? 'gzip' : 'plain').toEqual(strip(ordered));
      }
    }, 60_000);
  }
});
