/** Requests out in a format's own layout (property tests, samples, `trace convert`). */
import type { TraceFormat, TraceRequest } from './types.js';

/** The whole file's bytes for `requests` in `format` (uncompressed). */
export function encodeTrace(format: TraceFormat, requests: Iterable<TraceRequest>): Buffer {
  const parts: Buffer[] = [];
  if (format.kind === 'binary') {
    const w = format.writer();
    for (const r of requests) parts.push(w(r));
    return Buffer.concat(parts);
  }
  const w = format.writer();
  const lines: string[] = format.header ? [format.header] : [];
  for (const r of requests) lines.push(w(r));
  return Buffer.from(lines.length ? `${lines.join('\n')}\n` : '');
}
