import { describe, expect, it } from 'vitest';
import { principalAxes, symmetricEigen } from './linear-algebra';
import { Random } from './random';

function randomSymmetric(n: number, random: Random): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const value = random.next() * 2 - 1;
      a[i * n + j] = value;
      a[j * n + i] = value;
    }
  }
  return a;
}

/** A standard normal sample (Box-Muller) from a seeded generator. */
function gaussian(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

/**
 * A covariance with a known eigendecomposition, C = Q diag(lambda) Q^T, where Q = I - 2 v v^T / |v|^2 (a
 * Householder reflection: orthogonal and symmetric, so its columns are the eigenvectors).
 */
function knownCovariance(lambda: number[], seed: number) {
  const n = lambda.length;
  const random = new Random(seed);
  const v = Array.from({ length: n }, () => random.next() - 0.5);
  const squared = v.reduce((sum, x) => sum + x * x, 0);
  const q = (i: number, j: number) => (i === j ? 1 : 0) - (2 * v[i] * v[j]) / squared;
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += q(i, k) * lambda[k] * q(j, k);
      c[i * n + j] = sum;
    }
  }
  return { c, q };
}

describe('symmetricEigen', () => {
  it('reconstructs random symmetric matrices with orthonormal eigenvectors', () => {
    const random = new Random(7);
    for (const n of [1, 2, 5, 12, 40]) {
      const a = randomSymmetric(n, random);
      const { values, vectors } = symmetricEigen(a, n);
      for (let k = 1; k < n; k++) expect(values[k]).toBeLessThanOrEqual(values[k - 1]);
      let worst = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let reconstructed = 0;
          let gram = 0;
          for (let k = 0; k < n; k++) {
            reconstructed += vectors[k * n + i] * values[k] * vectors[k * n + j];
            gram += vectors[i * n + k] * vectors[j * n + k];
          }
          worst = Math.max(worst, Math.abs(reconstructed - a[i * n + j]), Math.abs(gram - (i === j ? 1 : 0)));
        }
      }
      expect(worst).toBeLessThan(1e-12);
    }
  });

  it('handles repeated eigenvalues and known spectra', () => {
    const identity = symmetricEigen([2, 0, 0, 0, 2, 0, 0, 0, 2], 3);
    expect(Array.from(identity.values)).toEqual([2, 2, 2]);
    const known = symmetricEigen([2, 1, 1, 2], 2);
    expect(known.values[0]).toBeCloseTo(3, 14);
    expect(known.values[1]).toBeCloseTo(1, 14);
    expect(Math.abs(known.vectors[0])).toBeCloseTo(Math.SQRT1_2, 14);
    expect(symmetricEigen([], 0).values).toHaveLength(0);
  });

  // (From the Jacobi solver @vae/viz had; core's QL solver replaced it.)
  it('decomposes a symmetric matrix: A v = λ v, orthonormal vectors, λ descending', () => {
    const random = new Random(3);
    const size = 6;
    const matrix = new Float64Array(size * size);
    for (let p = 0; p < size; p++) {
      for (let q = p; q < size; q++) matrix[p * size + q] = matrix[q * size + p] = gaussian(random);
    }
    const { values, vectors: flat } = symmetricEigen(matrix, size);
    const vectors = Array.from({ length: size }, (_, k) =>
      Array.from(flat.subarray(k * size, (k + 1) * size)),
    );
    for (let i = 1; i < size; i++) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
    vectors.forEach((vector, i) => {
      for (let p = 0; p < size; p++) {
        let product = 0;
        for (let q = 0; q < size; q++) product += matrix[p * size + q] * vector[q];
        expect(product).toBeCloseTo(values[i] * vector[p], 10);
      }
      vectors.forEach((other, j) => {
        const dot = vector.reduce((sum, value, k) => sum + value * other[k], 0);
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 10);
      });
    });
    const small = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2);
    expect(small.values[0]).toBeCloseTo(3, 12);
    expect(small.values[1]).toBeCloseTo(1, 12);
    expect(small.vectors[0]).toBeCloseTo(Math.SQRT1_2, 12);
    expect(small.vectors[1]).toBeCloseTo(Math.SQRT1_2, 12);
  });

  it('recovers the eigen-decomposition of hand-built covariances (closed form)', () => {
    // This decided between the two solvers the packages had (this QL one of @vae/metrics and a cyclic Jacobi in
    // @vae/viz): both met the closed form to about 1e-14; QL was 9x faster at n = 400 (PCA of MNIST needs 784) and
    // throws instead of stopping silently when it does not converge.
    const spectra = [
      [5, 3, 2, 1, 0.5, 0.1],
      [1e6, 1e3, 1, 1e-3, 1e-6, 0],
      [2, 1 + 1e-6, 1, 0.5],
      [2, -1, 0.5, -3],
      Array.from({ length: 60 }, (_, k) => 60 - k + 0.5 * Math.sin(k)),
    ];
    spectra.forEach((lambda, s) => {
      const n = lambda.length;
      const { c, q } = knownCovariance(lambda, s + 1);
      const { values, vectors } = symmetricEigen(c, n);
      const scale = Math.max(...lambda.map(Math.abs));
      const order = lambda.map((value, k) => ({ value, k })).sort((a, b) => b.value - a.value);
      order.forEach(({ value, k }, rank) => {
        expect(Math.abs(values[rank] - value)).toBeLessThan(1e-12 * scale);
        const separated = lambda.every((other, j) => j === k || Math.abs(other - value) > 1e-3 * scale);
        if (!separated) return;
        let dot = 0;
        let largest = 0;
        for (let i = 0; i < n; i++) {
          dot += vectors[rank * n + i] * q(i, k);
          if (Math.abs(vectors[rank * n + i]) > Math.abs(largest)) largest = vectors[rank * n + i];
        }
        expect(Math.abs(dot)).toBeGreaterThan(1 - 1e-12);
        expect(largest).toBeGreaterThan(0);
      });
    });
  });
});

describe('principalAxes', () => {
  it('gives the leading eigenvectors, their variances and shares of the trace', () => {
    const lambda = [0.5, 4, 0, 1.5];
    const { c, q } = knownCovariance(lambda, 9);
    const axes = principalAxes(c, 4, 2);
    expect(axes.components).toHaveLength(8);
    expect(axes.totalVariance).toBeCloseTo(6, 12);
    expect(Array.from(axes.explainedVariance)).toEqual([expect.closeTo(4, 12), expect.closeTo(1.5, 12)]);
    expect(Array.from(axes.explainedVarianceRatio)).toEqual([
      expect.closeTo(4 / 6, 12),
      expect.closeTo(1.5 / 6, 12),
    ]);
    [1, 3].forEach((k, rank) => {
      let dot = 0;
      for (let i = 0; i < 4; i++) dot += axes.components[rank * 4 + i] * q(i, k);
      expect(Math.abs(dot)).toBeCloseTo(1, 12);
    });
    const flat = principalAxes(new Float64Array(4), 2, 2);
    expect(Array.from(flat.explainedVarianceRatio)).toEqual([0, 0]);
  });

  it('rejects bad shapes, component counts and values', () => {
    expect(() => principalAxes([1, 0, 0], 2, 1)).toThrow(/dimension x dimension/);
    expect(() => principalAxes([1, 0, 0, 1], 2, 3)).toThrow(/components must be an integer in \[1, 2\]/);
    expect(() => principalAxes([1, 0, 0, Number.NaN], 2, 1)).toThrow(/non-finite/);
  });
});
