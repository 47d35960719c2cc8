/**
 * jsonErrorOffset agrees with V8's JSON.parse wherever V8 names a position, on valid JSON
 * texts with one character inserted, removed or replaced.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonErrorOffset, lineCol } from '../../src/config/json-position.js';

/**
 * V8's offset for a text it rejects: "at position N", the end for "Unexpected end", or for
 * "Unexpected token 'x'" (no position) the token, which must be the character found there.
 */
function v8Offset(text: string): number | 'valid' | { token: string } | 'unknown' {
  try {
    JSON.parse(text);
    return 'valid';
  } catch (err) {
    const m = /at position (\d+)/.exec((err as Error).message);
    if (m) return Number(m[1]);
    if (/Unexpected end of JSON input/.test((err as Error).message)) return text.length;
    const t = /^Unexpected token '(.)'/su.exec((err as Error).message);
    return t ? { token: t[1] } : 'unknown';
  }
}

const CHARS = ['{', '}', '[', ']', ',', ':', '"', '\\', 'e', '-', '.', '0', '1', 'x', 'n', 't', ' ', '\n', 'u', '\u0001'];

describe('jsonErrorOffset', () => {
  it('finds the offset V8 reports for one-character edits of valid JSON', () => {
    let compared = 0;
    fc.assert(
      fc.property(fc.json({ maxDepth: 3 }), fc.nat(), fc.constantFrom(...CHARS), fc.constantFrom('insert', 'delete', 'replace'), (json, at, ch, edit) => {
        const i = at % (json.length + 1);
        const text = edit === 'insert' ? json.slice(0, i) + ch + json.slice(i) : edit === 'delete' ? json.slice(0, i) + json.slice(i + 1) : json.slice(0, i) + ch + json.slice(i + 1);
        const want = v8Offset(text);
        if (want === 'valid' || want === 'unknown') return;
        compared++;
        if (typeof want === 'number') expect(jsonErrorOffset(text), JSON.stringify(text)).toBe(want);
        else expect(text[jsonErrorOffset(text)], JSON.stringify(text)).toBe(want.token);
      }),
      { numRuns: 1000 },
    );
    expect(compared).toBeGreaterThan(500);
  });

  it('locates errors V8 gives no position for', () => {
    const text = '{\n  "schema": "qed-bench/results@1",\n  "status": completed\n}';
    expect(() => JSON.parse(text)).toThrow(/Unexpected token/);
    expect(lineCol(text, jsonErrorOffset(text))).toEqual({ line: 3, col: 13 });
  });

  it('counts lines and columns from 1', () => {
    expect(lineCol('ab\ncd', 0)).toEqual({ line: 1, col: 1 });
    expect(lineCol('ab\ncd', 4)).toEqual({ line: 2, col: 2 });
    expect(lineCol('ab\r\ncd', 5)).toEqual({ line: 2, col: 2 });
  });
});
