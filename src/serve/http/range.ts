/** HTTP byte ranges for /disk: the Range header of a GET and the Content-Range header of a PUT (RFC 9110 §14). */

export type RangeResult =
  | { kind: 'range'; start: number; end: number } // inclusive end, clipped to the disk
  | { kind: 'unsatisfiable' }
  | { kind: 'malformed'; reason: string };

const UNIT = /^bytes=/i;

/** One range of `bytes=a-b`, `bytes=a-` or `bytes=-n` against a disk of `size` bytes; several ranges are not served. */
export function parseRange(header: string, size: number): RangeResult {
  if (!UNIT.test(header)) return { kind: 'malformed', reason: 'the Range unit must be bytes' };
  const spec = header.slice(6).trim();
  if (spec.includes(',')) return { kind: 'malformed', reason: 'only one range per request is served' };
  const m = /^(\d*)-(\d*)$/.exec(spec);
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'malformed', reason: `"${spec}" is not a byte range (a-b, a- or -n)` };
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? Infinity : Number(m[2]);
  if (end < start) return { kind: 'malformed', reason: `"${spec}" ends before it starts` };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'range', start, end: Math.min(end, size - 1) };
}

/**
 * `bytes a-b/total` or `bytes a-b/*` of a PUT: where the body goes (inclusive end, not clipped).
 * A total is the size the client believes the disk has; one that is not `size` is refused.
 */
export function parseContentRange(header: string, size: number): { start: number; end: number } | { reason: string } {
  const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/i.exec(header.trim());
  if (!m) return { reason: `"${header}" is not "bytes a-b/size" or "bytes a-b/*"` };
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end)) return { reason: `"${header}" has a position past 2^53 bytes` };
  if (end < start) return { reason: `"${header}" ends before it starts` };
  if (m[3] !== '*' && m[3] !== String(size)) return { reason: `"${header}" gives the disk's size as ${m[3]} bytes, but it is ${size}; use the size or *` };
  return { start, end };
}
