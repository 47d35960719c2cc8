/** How far a SHARDS estimate is from the exact miss-ratio curve: used by bench:sim and bench:shards. */

export interface CurveError {
  /** Mean and max |estimate − exact| over every size 1..distinct. */
  meanError: number;
  maxError: number;
  /** The same over the sizes ≥ 1/R, the ones a sample of rate R can resolve. */
  meanErrorResolved: number;
  maxErrorResolved: number;
}

/** `est[c - 1]` is the estimate at size c; `curve[c]` the exact miss ratio (index = size). */
export function curveError(est: number[], curve: Float64Array, distinct: number, rate: number): CurveError {
  const resolvedFrom = Math.ceil(1 / rate);
  let sum = 0;
  let max = 0;
  let sumResolved = 0;
  let nResolved = 0;
  let maxResolved = 0;
  for (let c = 1; c <= distinct; c++) {
    const e = Math.abs(est[c - 1] - curve[c]);
    sum += e;
    if (e > max) max = e;
    if (c >= resolvedFrom) {
      sumResolved += e;
      nResolved++;
      if (e > maxResolved) maxResolved = e;
    }
  }
  return { meanError: sum / distinct, maxError: max, meanErrorResolved: nResolved ? sumResolved / nResolved : 0, maxErrorResolved: maxResolved };
}
