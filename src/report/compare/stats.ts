/**
 * Sample statistics and Welch's t-test for repeated timings. The Student t CDF comes from the
 * regularized incomplete beta function (continued fraction, modified Lentz), which needs ln Γ
 * (Lanczos approximation): no statistics library, and every step testable against tables.
 */

export function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample variance (n − 1 in the denominator); 0 for fewer than two values or all equal. */
export function variance(xs: readonly number[]): number {
  // Equal values exactly 0: their computed mean can be off by an ulp, which would look like noise.
  if (xs.length < 2 || xs.every((x) => x === xs[0])) return 0;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return s / (xs.length - 1);
}

export function stddev(xs: readonly number[]): number {
  return Math.sqrt(variance(xs));
}

/** NaN for no samples. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

// Lanczos approximation, g = 7, nine coefficients: about 15 significant digits for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x); // reflection
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The continued fraction of I_x(a, b), evaluated by the modified Lentz method. */
function betaFraction(x: number, a: number, b: number): number {
  const TINY = 1e-300;
  const EPS = 1e-15;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let f = d;
  for (let m = 1; m <= 10_000; m++) {
    // even step: d_{2m} = m (b − m) x / ((a + 2m − 1)(a + 2m))
    let num = (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m));
    d = 1 + num * d;
    c = 1 + num / c;
    if (Math.abs(d) < TINY) d = TINY;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    f *= c * d;
    // odd step: d_{2m+1} = −(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1))
    num = (-(a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
    d = 1 + num * d;
    c = 1 + num / c;
    if (Math.abs(d) < TINY) d = TINY;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const step = c * d;
    f *= step;
    if (Math.abs(step - 1) < EPS) return f;
  }
  return f; // converges long before this for the a, b a t-test uses
}

/** The regularized incomplete beta function I_x(a, b), for 0 ≤ x ≤ 1 and a, b > 0. */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new RangeError(`regularizedBeta: a and b must be positive (a=${a}, b=${b})`);
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
  // The fraction converges fast for x < (a + 1)/(a + b + 2); otherwise use I_x(a,b) = 1 − I_{1−x}(b,a).
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom (df may be fractional, as Welch's is). */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`studentTCdf: degrees of freedom must be positive (df=${df})`);
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5); // P(T > |t|)
  return t > 0 ? 1 - tail : tail;
}

export interface WelchResult {
  /** (mean of b − mean of a) / standard error: positive when b is larger. */
  t: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  /** Two-sided p-value: how likely a difference this large is if the means are equal. */
  p: number;
  meanA: number;
  meanB: number;
}

/**
 * Welch's unequal-variances t-test of samples a and b (each at least two values). Two samples
 * with no spread at all are certainly different if their means differ (p 0) and certainly not
 * otherwise (p 1): what repeats under the deterministic scheduler's virtual clock give.
 */
export function welchTest(a: readonly number[], b: readonly number[]): WelchResult {
  if (a.length < 2 || b.length < 2) throw new RangeError('welchTest needs at least two samples on each side');
  const meanA = mean(a);
  const meanB = mean(b);
  const qa = variance(a) / a.length;
  const qb = variance(b) / b.length;
  const se2 = qa + qb;
  if (se2 === 0) {
    const df = a.length + b.length - 2;
    if (meanA === meanB) return { t: 0, df, p: 1, meanA, meanB };
    return { t: meanB > meanA ? Infinity : -Infinity, df, p: 0, meanA, meanB };
  }
  const t = (meanB - meanA) / Math.sqrt(se2);
  const df = (se2 * se2) / ((qa * qa) / (a.length - 1) + (qb * qb) / (b.length - 1));
  const p = Math.min(1, 2 * studentTCdf(-Math.abs(t), df));
  return { t, df, p, meanA, meanB };
}
