import { describe, expect, it } from 'vitest';
import { GaussianMixture, kMeansRun } from './clustering';
import { cholesky } from './linear-algebra';
import { Random } from './random';

const LOG_TWO_PI = Math.log(2 * Math.PI);

/** A known two-component mixture in 2-D: one correlated (full), one axis-aligned. */
const truth = new GaussianMixture({
  covariance: 'full',
  dimension: 2,
  weights: [0.3, 0.7],
  means: [-4, 1, 3, -2],
  covariances: [1, 0.6, 0.6, 0.8, 0.5, 0, 0, 2],
});

describe('cholesky', () => {
  it('factors A = L L^T and refuses a matrix that is not positive definite', () => {
    const a = [4, 2, 0.4, 2, 5, 1, 0.4, 1, 3];
    const l = cholesky(a, 3);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let s = 0;
        for (let k = 0; k < 3; k++) s += l[i * 3 + k] * l[j * 3 + k];
        expect(s).toBeCloseTo(a[i * 3 + j], 12);
      }
      for (let j = i + 1; j < 3; j++) expect(l[i * 3 + j]).toBe(0);
    }
    expect(() => cholesky([1, 2, 2, 1], 2)).toThrow(/not positive definite/);
  });
});

describe('kMeansRun', () => {
  it('separates well-apart clusters (k-means++ seeding, seeded)', () => {
    const values = Float64Array.from([0, 0, 0.1, 0, 0, 0.1, 10, 10, 10.1, 10, 10, 10.1]);
    const result = kMeansRun({ values, rows: 6, columns: 2 }, 2, 100, new Random(3));
    const [a, b] = [result.assignments[0], result.assignments[3]];
    expect(a).not.toBe(b);
    expect(Array.from(result.assignments)).toEqual([a, a, a, b, b, b]);
    expect(result.inertia).toBeCloseTo(4 * (0.1 / 3) ** 2 * 2 + 2 * (0.2 / 3) ** 2 * 2, 10);
  });
});

describe('GaussianMixture', () => {
  it('gives the closed-form log-density (one component, full and diagonal)', () => {
    const full = new GaussianMixture({
      covariance: 'full',
      dimension: 2,
      weights: [1],
      means: [1, -1],
      covariances: [2, 0.5, 0.5, 1],
    });
    const [x, y] = [0.3, 0.4];
    const det = 2 * 1 - 0.25;
    const [dx, dy] = [x - 1, y + 1];
    // inverse of [[2, .5], [.5, 1]] is [[1, -.5], [-.5, 2]] / det
    const quadratic = (dx * dx * 1 - 2 * 0.5 * dx * dy + dy * dy * 2) / det;
    const expected = -0.5 * (2 * LOG_TWO_PI + Math.log(det) + quadratic);
    expect(full.logDensity({ values: Float64Array.from([x, y]), rows: 1, columns: 2 })[0]).toBeCloseTo(
      expected,
      12,
    );
    const diagonal = new GaussianMixture({
      covariance: 'diagonal',
      dimension: 2,
      weights: [0.25, 0.75],
      means: [0, 0, 1, 1],
      covariances: [1, 4, 0.5, 0.5],
    });
    const n = (v: number, m: number, s2: number) =>
      Math.exp(-0.5 * ((v - m) ** 2 / s2 + Math.log(2 * Math.PI * s2)));
    const mixture = 0.25 * n(x, 0, 1) * n(y, 0, 4) + 0.75 * n(x, 1, 0.5) * n(y, 1, 0.5);
    expect(diagonal.logDensity({ values: Float64Array.from([x, y]), rows: 1, columns: 2 })[0]).toBeCloseTo(
      Math.log(mixture),
      12,
    );
  });

  it('samples with the right moments', () => {
    const { values, components } = truth.sample(20000, { seed: 5 });
    let share = 0;
    const sums = [0, 0];
    const cross = [0, 0, 0];
    let n = 0;
    for (let i = 0; i < 20000; i++) {
      if (components[i] !== 0) continue;
      share += 1;
      n += 1;
      const [a, b] = [values[2 * i], values[2 * i + 1]];
      sums[0] += a;
      sums[1] += b;
      cross[0] += (a + 4) ** 2;
      cross[1] += (a + 4) * (b - 1);
      cross[2] += (b - 1) ** 2;
    }
    expect(share / 20000).toBeCloseTo(0.3, 1);
    expect(sums[0] / n).toBeCloseTo(-4, 1);
    expect(cross[1] / n).toBeCloseTo(0.6, 1);
    expect(cross[2] / n).toBeCloseTo(0.8, 1);
  });

  for (const covariance of ['full', 'diagonal'] as const) {
    it(`recovers a known mixture by EM (${covariance} covariances)`, () => {
      const rows = 20000;
      const { values } = truth.sample(rows, { seed: 11 });
      const points = { values, rows, columns: 2 };
      // Within 0.1 of the truth: the sampling error of each estimate is below 0.03 at this size.
      const near = (value: number, expected: number) => expect(Math.abs(value - expected)).toBeLessThan(0.1);
      const fit = GaussianMixture.fit(points, 2, { covariance, seed: 1 });
      expect(fit.converged).toBe(true);
      const m = fit.mixture;
      const order = m.means[0] < m.means[2] ? [0, 1] : [1, 0];
      near(m.weights[order[0]], 0.3);
      near(m.means[order[0] * 2], -4);
      near(m.means[order[0] * 2 + 1], 1);
      near(m.means[order[1] * 2], 3);
      near(m.means[order[1] * 2 + 1], -2);
      if (covariance === 'full') {
        const c = Array.from(m.covariances.subarray(order[0] * 4, order[0] * 4 + 4));
        near(c[0], 1);
        near(c[1], 0.6);
        near(c[3], 0.8);
        // the fitted mixture explains the data about as well as the truth (EM maximizes the likelihood)
        const ll = (g: GaussianMixture) => g.logDensity(points).reduce((s, v) => s + v, 0) / rows;
        expect(ll(m)).toBeGreaterThanOrEqual(ll(truth) - 1e-9);
        expect(ll(m) - ll(truth)).toBeLessThan(0.01);
        expect(fit.logLikelihood).toBeCloseTo(ll(m), 6);
      } else {
        const c = m.covariances.subarray(order[1] * 2, order[1] * 2 + 2);
        near(c[0], 0.5);
        near(c[1], 2);
      }
      // seeded: the same fit again
      const again = GaussianMixture.fit(points, 2, { covariance, seed: 1 });
      expect(Array.from(again.mixture.means)).toEqual(Array.from(m.means));
    });
  }

  it('round-trips through JSON and names bad input', () => {
    const copy = GaussianMixture.fromJSON(JSON.parse(JSON.stringify(truth.toJSON())));
    const points = { values: Float64Array.from([0, 0, 1, 2]), rows: 2, columns: 2 };
    expect(Array.from(copy.logDensity(points))).toEqual(Array.from(truth.logDensity(points)));
    expect(() => GaussianMixture.fit(points, 3)).toThrow(/components must be an integer from 1/);
    expect(() =>
      GaussianMixture.fit({ values: Float64Array.from([0, Number.NaN]), rows: 1, columns: 2 }, 1),
    ).toThrow(/non-finite/);
    expect(() => GaussianMixture.fit(points, 1, { covariance: 'spherical' as never })).toThrow(
      /'diagonal' or 'full'/,
    );
    expect(
      () =>
        new GaussianMixture({
          covariance: 'full',
          dimension: 2,
          weights: [1],
          means: [0, 0],
          covariances: [1, 2, 2, 1],
        }),
    ).toThrow(/not positive definite/);
    expect(() => truth.logDensity({ values: Float64Array.from([0, 0, 0]), rows: 1, columns: 3 })).toThrow(
      /3 columns/,
    );
  });
});
