/**
 * bench:sim's seeded table-access streams, built once by the main thread into shared memory:
 *   zipf      zipf(θ) over the image's tables (hot tables scattered over the table range);
 *   scan-mix  each access is, with even odds, a draw from that zipf stream or the next table of
 *             a sequential scan over many other tables (one-touch tables that pollute LRU).
 * Keys are table offsets: table index × TABLE_SPAN.
 */
import { Rng } from '../../src/util/random.js';
import { Scatter, zipfRanks } from '../../src/workload/distributions.js';

/** Bytes between L2 tables: QED's default table of 4 clusters of 64 KiB. */
export const TABLE_SPAN = 4 * 65536;
export const STREAMS = ['zipf', 'scan-mix'] as const;
export type StreamName = (typeof STREAMS)[number];
export type Streams = Record<StreamName, SharedArrayBuffer>;

export interface StreamShape {
  tables: number;
  theta: number;
  scanTables: number;
}

export function buildStreams(o: StreamShape, accesses: number): Streams {
  const make = (fill: (out: Float64Array) => void): SharedArrayBuffer => {
    const sab = new SharedArrayBuffer(accesses * 8);
    fill(new Float64Array(sab));
    return sab;
  };
  const zipf = zipfRanks(o.tables, o.theta);
  const scatter = new Scatter(o.tables);
  return {
    zipf: make((out) => {
      const rng = new Rng(1, 1);
      for (let i = 0; i < out.length; i++) out[i] = scatter.map(zipf.next(rng)) * TABLE_SPAN;
    }),
    'scan-mix': make((out) => {
      const rng = new Rng(1, 2);
      let scan = 0;
      for (let i = 0; i < out.length; i++) {
        if (rng.below(2) === 0) {
          out[i] = scatter.map(zipf.next(rng)) * TABLE_SPAN;
        } else {
          out[i] = (o.tables + scan) * TABLE_SPAN;
          scan = scan + 1 === o.scanTables ? 0 : scan + 1;
        }
      }
    }),
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** "median (min-max)" of rates, in millions. */
export function spread(xs: number[], scale = 1e6, digits = 2): string {
  const f = (x: number): string => (x / scale).toFixed(digits);
  return xs.length > 1 ? `${f(median(xs))} (${f(Math.min(...xs))}-${f(Math.max(...xs))})` : f(xs[0]);
}
