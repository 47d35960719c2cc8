// The byte-level fast parser and the text parser of each text format give identical results on any lines.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeviceNames, RequestBatch } from '../../../src/workload/traces/batch.js';
import { formatByName } from '../../../src/workload/traces/formats.js';
import type { LineParser, TextFormat, TraceOp, TraceRequest } from '../../../src/workload/traces/types.js';

const FAST = ['msr', 'alibaba', 'tencent', 'systor', 'k5cloud', 'csv'];

/** A field as real and broken files have them: numbers, decimals, op words in any case, spaces, non-ASCII. */
const token = fc.oneof(
  fc.bigInt({ min: 0n, max: 10n ** 19n }).map(String),
  fc.tuple(fc.integer({ min: 0, max: 2 ** 40 }), fc.stringMatching(/^[0-9]{0,11}$/)).map(([a, b]) => `${a}.${b}`),
  fc.constantFrom('Read', 'Write', 'read', 'WRITE', 'R', 'w', 'W', '0', '1', 'T', 'flush', 'trim', 'Flush', ' R', 'r ', 'constructor', 'x'),
  fc.constantFrom('', ' ', ' 12', '12 ', '\t7', 'vol7', 'dév', '8,0', '-1', '1e3', '\u00a0'),
  fc.string({ maxLength: 6 }),
);

function line(format: TextFormat, fields: number): fc.Arbitrary<string> {
  const valid = fc
    .record({ time: fc.integer({ min: 0, max: 1e12 }), op: fc.constantFrom<TraceOp>('read', 'write'), offset: fc.integer({ min: 0, max: 2 ** 40 }), length: fc.integer({ min: 0, max: 2 ** 20 }), device: fc.constantFrom('0', '12', 'vol7') })
    .map((r) => format.writer()({ ...r, offset: r.offset * 512, length: r.length * 512, line: 0 }));
  const noisy = fc.array(token, { minLength: fields - 2, maxLength: fields + 2 }).map((f) => f.join(','));
  // A valid line with one or two fields swapped for a token: mostly right, so the later fields are reached.
  const bent = fc.tuple(valid, fc.nat(), token, fc.nat(), token).map(([l, i, a, j, b]) => {
    const f = l.split(',');
    f[i % f.length] = a;
    if (j % 3 === 0) f[j % f.length] = b;
    return f.join(',');
  });
  return fc.oneof(valid, noisy, bent);
}

/** Each line through `parse` alone or fast-then-text, as requests, nulls or error messages. */
function run(parse: LineParser, lines: string[], useFast: boolean): Array<TraceRequest | null | string> {
  return lines.map((l, i) => {
    const buf = Buffer.from(`#${l}\n`, 'utf8');
    const out = new RequestBatch(new DeviceNames(), 1);
    if (useFast && parse.fast && parse.fast(buf, 1, buf.length - 1, i + 1, out)) return out.n ? out.get(0) : null;
    expect(out.n).toBe(0);
    try {
      return parse(buf.toString('utf8', 1, buf.length - 1), i + 1);
    } catch (err) {
      return (err as Error).message + ` @${(err as { col?: number }).col}`;
    }
  });
}

describe('trace fast path: same requests, skips and errors as the text parser', () => {
  for (const name of FAST) {
    it(name, () => {
      const format = formatByName(name) as TextFormat;
      // As many fields as the format's own lines have (systor 6, msr 7, the rest 5).
      const fields = format.writer()({ time: 0, op: 'read', offset: 0, length: 0, device: '0', line: 0 }).split(',').length;
      expect(format.parser({}).fast).toBeTypeOf('function');
      fc.assert(
        fc.property(fc.array(line(format, fields), { minLength: 1, maxLength: 30 }), (lines) => {
          expect(run(format.parser({}), lines, true)).toEqual(run(format.parser({}), lines, false));
        }),
        { numRuns: 300 },
      );
    });
  }

  // The chunk scanner: the lines joined ("\n" or "\r\n", sometimes no final newline), cut into two
  // chunks anywhere, scanned with the text path for what it will not vouch for, as the reader does.
  function scanned(parse: LineParser, lines: string[], crlf: boolean, cut: number, final: boolean): Array<TraceRequest | null | string> {
    const all = Buffer.from(lines.join(crlf ? '\r\n' : '\n') + (final ? (crlf ? '\r\n' : '\n') : ''), 'utf8');
    const got: Array<TraceRequest | null | string> = lines.map(() => null);
    const out = new RequestBatch(new DeviceNames(), 1);
    const careful = (b: Buffer, s: number, e: number, n: number) => {
      try {
        const r = parse(b.toString('utf8', s, e), n);
        if (r) out.push(r);
      } catch (err) {
        got[n - 1] = (err as Error).message + ` @${(err as { col?: number }).col}`;
      }
    };
    const cursor = { line: 0 };
    const at = cut % (all.length + 1);
    let carry = all.subarray(parse.scan!(all.subarray(0, at), 0, cursor, out, careful), at);
    const rest = Buffer.concat([carry, all.subarray(at)]);
    carry = rest.subarray(parse.scan!(rest, 0, cursor, out, careful));
    if (carry.length) careful(carry, 0, carry[carry.length - 1] === 13 ? carry.length - 1 : carry.length, ++cursor.line);
    expect(cursor.line).toBe(lines.length);
    for (let i = 0; i < out.n; i++) got[out.line[i] - 1] = out.get(i);
    return got;
  }

  for (const name of FAST.filter((f) => f !== 'csv')) {
    it(`${name} chunk scanner`, () => {
      const format = formatByName(name) as TextFormat;
      const fields = format.writer()({ time: 0, op: 'read', offset: 0, length: 0, device: '0', line: 0 }).split(',').length;
      expect(format.parser({}).scan).toBeTypeOf('function');
      // Lines never hold "\n" (the reader splits on it); a "\r" inside one stays.
      const lines = fc.array(line(format, fields).map((l) => l.replace(/\n/g, ' ')), { minLength: 1, maxLength: 30 });
      fc.assert(
        fc.property(lines, fc.boolean(), fc.nat(), fc.boolean(), (ls, crlf, cut, final) => {
          const want = run(format.parser({}), ls, false);
          const got = scanned(format.parser({}), ls, crlf, cut, final);
          expect(got).toEqual(want);
        }),
        { numRuns: 300 },
      );
    });
  }

  // Whitespace-separated formats: words as the writer makes them, respaced, bent, or with other events.
  const word = fc.oneof(token, fc.constantFrom('Q', 'C', 'G', 'D', 'WS', 'FWS', 'N', 'RA', '+', '-', 'add', 'open', 'close', 'wait', 'sync', 'datasync', '/dev/vdb', '8,16', '8,0x', 'déjà'));
  const gap = fc.constantFrom(' ', ' ', '  ', '   ', '\t', ' \t');
  for (const [name, header] of [['iolog', 'fio version 3 iolog'], ['iolog', 'fio version 2 iolog'], ['blkparse', '']] as const) {
    it(`${name} ${header}`, () => {
      const format = formatByName(name) as TextFormat;
      const valid = fc
        .record({ time: fc.integer({ min: 0, max: 1e12 }), op: fc.constantFrom<TraceOp>('read', 'write', 'trim', 'flush'), offset: fc.integer({ min: 0, max: 2 ** 40 }), length: fc.integer({ min: 0, max: 2 ** 20 }), device: fc.constantFrom('8,0', '/dev/vdb', 'f') })
        .map((r) => format.writer()({ ...r, time: r.time * 1000, offset: r.offset * 512, length: r.length * 512, line: 0 }).split('\n').pop()!);
      const respaced = fc.tuple(valid, fc.array(gap, { minLength: 12, maxLength: 12 }), fc.boolean()).map(([l, g, lead]) => (lead ? g[11] : '') + l.trim().split(/ +/).map((w, i) => (i ? g[i % 11] : '') + w).join(''));
      const bent = fc.tuple(valid, fc.nat(), word, fc.nat(), word).map(([l, i, a, j, b]) => {
        const f = l.trim().split(/ +/);
        f[i % f.length] = a;
        if (j % 3 === 0) f[j % f.length] = b;
        return f.join(' ');
      });
      const noisy = fc.array(word, { minLength: 1, maxLength: 12 }).map((f) => f.join(' '));
      // An iolog request needs its file added first (some files stay unadded, so both paths refuse those).
      const adds = header ? ['8,0', '/dev/vdb'].map((f) => (header.includes('3') ? `0 ${f} add` : `${f} add`)) : [];
      const lines = fc.array(fc.oneof(valid, respaced, bent, noisy), { minLength: 1, maxLength: 30 }).map((l) => (header ? [header, ...adds, ...l] : l));
      expect(format.parser({}).fast).toBeTypeOf('function');
      if (name === 'blkparse') expect(format.parser({}).scan).toBeTypeOf('function');
      fc.assert(
        fc.property(lines, fc.boolean(), fc.nat(), fc.boolean(), (ls, crlf, cut, final) => {
          const want = run(format.parser({}), ls, false);
          expect(run(format.parser({}), ls, true)).toEqual(want);
          // An empty last line with no newline after it is no line of the file (a file of [''] is empty).
          const fileLines = final || ls[ls.length - 1] !== '' ? ls : ls.slice(0, -1);
          if (format.parser({}).scan) expect(scanned(format.parser({}), fileLines, crlf, cut, final)).toEqual(fileLines === ls ? want : run(format.parser({}), fileLines, false));
        }),
        { numRuns: 300 },
      );
    });
  }

  it('valid lines take the fast path', () => {
    for (const name of FAST) {
      const format = formatByName(name) as TextFormat;
      const text = format.writer()({ time: 5000, op: 'write', offset: 4096, length: 512, device: '3', line: 0 });
      const out = new RequestBatch(new DeviceNames());
      expect(format.parser({}).fast!(Buffer.from(text), 0, text.length, 1, out), name).toBe(true);
      expect(out.get(0), name).toMatchObject({ op: 'write', offset: 4096, length: 512, device: '3' });
    }
    for (const name of ['iolog', 'blkparse']) {
      const format = formatByName(name) as TextFormat;
      const parse = format.parser({});
      if (format.header) parse(format.header, 1);
      if (name === 'iolog') parse('1 8,0 add', 2);
      const text = format.writer()({ time: 5000, op: 'write', offset: 4096, length: 512, device: '8,0', line: 0 }).split('\n').pop()!;
      const out = new RequestBatch(new DeviceNames());
      expect(parse.fast!(Buffer.from(text), 0, text.length, 3, out), name).toBe(true);
      expect(out.get(0), name).toMatchObject({ op: 'write', offset: 4096, length: 512, device: '8,0' });
    }
  });
});
