/**
 * Welch's t-test and the functions under it, against closed forms (Γ of integers, the beta
 * function's simple cases, the t distribution with 1 and 2 degrees of freedom) and against
 * values computed with scipy 1.17 (special.gammaln, special.betainc, stats.t.cdf,
 * stats.ttest_ind(equal_var=False)).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lnGamma, mean, median, regularizedBeta, stddev, studentTCdf, variance, welchTest } from '../../src/report/compare/stats.js';

describe('sample statistics', () => {
  it('mean, sample variance, standard deviation, median', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(variance([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(32 / 7, 12);
    expect(stddev([1, 1, 1])).toBe(0);
    expect(variance([5])).toBe(0);
    expect(variance([0.1, 0.1, 0.1])).toBe(0); // their computed mean is 0.10000000000000002
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('lnGamma', () => {
  it('matches factorials and Γ(1/2) = √π', () => {
    let fact = 1;
    for (let n = 1; n <= 20; n++) {
      expect(lnGamma(n)).toBeCloseTo(Math.log(fact), 10);
      fact *= n;
    }
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
  });
  it('matches scipy.special.gammaln', () => {
    expect(lnGamma(2.5)).toBeCloseTo(0.2846828704729192, 12);
    expect(lnGamma(100.5)).toBeCloseTo(361.43554046777757, 9);
  });
});

describe('regularizedBeta', () => {
  it('closed forms: I_x(a,1) = x^a, I_x(1,b) = 1 − (1−x)^b, I_½(a,a) = ½', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.001, max: 0.999, noNaN: true }), fc.double({ min: 0.1, max: 40, noNaN: true }), (x, a) => {
        expect(regularizedBeta(x, a, 1)).toBeCloseTo(x ** a, 10);
        expect(regularizedBeta(x, 1, a)).toBeCloseTo(1 - (1 - x) ** a, 10);
        expect(regularizedBeta(0.5, a, a)).toBeCloseTo(0.5, 10);
      }),
    );
  });
  it('matches scipy.special.betainc', () => {
    expect(regularizedBeta(0.3, 2, 3)).toBeCloseTo(0.3483, 12);
    expect(regularizedBeta(0.9, 0.5, 7.5)).toBeCloseTo(0.9999999932897103, 12);
    expect(regularizedBeta(0.01, 10, 0.5) / 1.770034965528571e-21).toBeCloseTo(1, 9);
    expect(regularizedBeta(0.7, 50, 40)).toBeCloseTo(0.9979524488148462, 12);
  });
  it('is 0 at 0 and 1 at 1, and rejects a non-positive parameter', () => {
    expect(regularizedBeta(0, 2, 3)).toBe(0);
    expect(regularizedBeta(1, 2, 3)).toBe(1);
    expect(() => regularizedBeta(0.5, 0, 1)).toThrow(/positive/);
  });
});

describe('studentTCdf', () => {
  it('df 1 is the Cauchy distribution; df 2 has a closed form', () => {
    for (const t of [-30, -2, -0.5, 0, 0.3, 1, 4, 100]) {
      expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 12);
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 12);
    }
  });
  it('the textbook two-sided 5% critical values: t(10) = 2.228, t(1) = 12.706', () => {
    expect(studentTCdf(2.228, 10)).toBeCloseTo(0.9749941140914443, 12);
    expect(studentTCdf(12.706, 1)).toBeCloseTo(0.9749995988209335, 12);
  });
  it('fractional and large degrees of freedom (scipy.stats.t.cdf)', () => {
    expect(studentTCdf(-1.5, 3.7)).toBeCloseTo(0.10679908460100675, 12);
    expect(studentTCdf(4, 2.5)).toBeCloseTo(0.9804935120793409, 12);
    expect(studentTCdf(2, 1000)).toBeCloseTo(0.9771148267533741, 12);
    expect(studentTCdf(0, 5)).toBe(0.5);
  });
  it('is symmetric and increasing', () => {
    fc.assert(
      fc.property(fc.double({ min: -50, max: 50, noNaN: true }), fc.double({ min: 0.5, max: 500, noNaN: true }), (t, df) => {
        expect(studentTCdf(t, df) + studentTCdf(-t, df)).toBeCloseTo(1, 12);
        expect(studentTCdf(t + 0.1, df)).toBeGreaterThanOrEqual(studentTCdf(t, df));
      }),
    );
  });
});

describe('welchTest', () => {
  it("Wikipedia's Welch's t-test example 1 (scipy: t 2.4554, df 24.99, p 0.02138)", () => {
    const a = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
    const b = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];
    const r = welchTest(a, b);
    expect(r.t).toBeCloseTo(2.455356398286006, 10);
    expect(r.df).toBeCloseTo(24.988529290231416, 10);
    expect(r.p).toBeCloseTo(0.021378001462866992, 12);
  });
  it('unequal sizes and variances (scipy: t 1.5654, df 9.905, p 0.1488)', () => {
    const a = [17.2, 20.9, 22.6, 18.1, 21.7, 21.4, 23.5, 24.2, 14.7, 21.8];
    const b = [21.5, 22.8, 21.0, 23.0, 21.6, 23.6, 22.5, 20.7, 23.4, 21.8, 20.7, 21.7, 21.5, 22.5, 23.6, 21.5, 22.5, 23.5, 21.5, 21.8];
    const r = welchTest(a, b);
    expect(r.t).toBeCloseTo(1.5654335235985037, 10);
    expect(r.df).toBeCloseTo(9.904741248650831, 10);
    expect(r.p).toBeCloseTo(0.14884169660532817, 12);
  });
  it('a clear 20% shift in three and four samples (scipy: p 2.952e-6)', () => {
    const r = welchTest([100, 101, 99], [120, 119.5, 121, 122]);
    expect(r.t).toBeCloseTo(25.76867071162, 8);
    expect(r.df).toBeCloseTo(4.715532467532468, 10);
    expect(r.p / 2.9520549166999487e-6).toBeCloseTo(1, 8);
  });
  it('samples without spread: equal means p 1, different means p 0', () => {
    expect(welchTest([5, 5, 5], [5, 5]).p).toBe(1);
    const r = welchTest([5, 5, 5], [6, 6]);
    expect(r.p).toBe(0);
    expect(r.t).toBe(Infinity);
  });
  it('needs two samples on each side', () => {
    expect(() => welchTest([1], [1, 2])).toThrow(/two samples/);
  });
});
