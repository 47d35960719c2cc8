/**
 * The chunk scanner of the space-separated formats (blkparse): each line's words found, as
 * spaceWords finds them, in the same single pass that finds the line's end; the format's own
 * per-line step then reads the words. A line it cannot vouch for goes to the careful (text) path.
 */
import { scanLines } from './ascii-fields.js';
import type { ChunkScanner, RowSink } from './types.js';

/** The format's step over words 0..n-1 (starts/ends), n as spaceWords gives it: true when vouched for. */
export type WordsStep = (buf: Buffer, n: number, lineNo: number, out: RowSink) => boolean;

export function wordScanner(starts: Int32Array, ends: Int32Array, max: number, step: WordsStep): ChunkScanner {
  return (buf, start, cursor, out, careful) => scanLines(buf, start, cursor, careful, (ls, lineNo) => lineAt(buf, ls, lineNo, out));

  /** One line's words, as spaceWords finds them, up to its newline. */
  function lineAt(buf: Buffer, ls: number, lineNo: number, out: RowSink): number {
    const len = buf.length;
    let i = ls;
    let n = 0;
    let nl = -1;
    for (;;) {
      while (i < len && buf[i] === 32) i++;
      if (i >= len) break;
      let c = buf[i];
      if (c === 10 || (c === 13 && i + 1 < len && buf[i + 1] === 10)) {
        nl = c === 10 ? i : i + 1;
        break;
      }
      if (n === max) {
        // spaceWords stops at a word past `max` without reading it; so does this.
        n = max + 1;
        while (i < len && buf[i] !== 10) i++;
        if (i < len) nl = i;
        break;
      }
      starts[n] = i;
      for (; i < len; i++) {
        c = buf[i];
        if (c === 32 || c === 10 || c === 13 || c === 9 || c === 11 || c === 12 || c > 127) break;
      }
      ends[n++] = i;
      // Another whitespace byte or a non-ASCII one: spaceWords leaves such lines to the text path.
      if (i < len && c !== 32 && c !== 10 && !(c === 13 && i + 1 < len && buf[i + 1] === 10)) break;
    }
    return nl >= 0 && step(buf, n, lineNo, out) ? nl : -1;
  }
}
