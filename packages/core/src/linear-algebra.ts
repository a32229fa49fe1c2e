/**
 * Small dense linear algebra in float64, for every package that needs it: a symmetric eigendecomposition
 * (Householder reduction to tridiagonal form, then the implicit QL algorithm with Wilkinson-style shifts, O(n^3))
 * and, on it, the decomposition step of principal component analysis (`principalAxes`). `pca` in `@vae/metrics`
 * (over data sets, covariance accumulated on the backend) and the PCA projection of `@vae/viz` both end here, so
 * there is one eigen-solver and one definition of the principal axes, their orientation and explained variance.
 * Matrices are row-major Float64Arrays.
 */

export interface SymmetricEigen {
  /** Eigenvalues, largest first. */
  values: Float64Array;
  /** Eigenvectors as rows, in the order of `values`: `vectors[k * n + i]` is component i of eigenvector k. */
  vectors: Float64Array;
}

/**
 * Eigendecomposition A = V diag(values) V^T of a symmetric n x n matrix (only the lower triangle is read). Each
 * eigenvector's sign is fixed so that its entry of largest magnitude is positive.
 */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): SymmetricEigen {
  if (matrix.length !== n * n)
    throw new Error(`symmetricEigen: expected ${n * n} values, got ${matrix.length}.`);
  // v holds the accumulated orthogonal transformation transposed, v[k * n + i] = V[i][k], so that the inner loops
  // (and each eigenvector, a column of V) run over contiguous memory.
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) v[j * n + i] = matrix[i * n + j];
  const diagonal = new Float64Array(n);
  const offDiagonal = new Float64Array(n);
  if (n > 0) {
    tridiagonalize(v, diagonal, offDiagonal, n);
    diagonalize(v, diagonal, offDiagonal, n);
  }
  const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => diagonal[b] - diagonal[a]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((k, rank) => {
    values[rank] = diagonal[k];
    let largest = 0;
    for (let i = 0; i < n; i++) if (Math.abs(v[k * n + i]) > Math.abs(largest)) largest = v[k * n + i];
    const sign = largest < 0 ? -1 : 1;
    for (let i = 0; i < n; i++) vectors[rank * n + i] = sign * v[k * n + i];
  });
  return { values, vectors };
}

/** Householder reduction of the symmetric matrix in `v` to tridiagonal form, accumulating the transformation. */
function tridiagonalize(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = v[j * n + n - 1];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = v[j * n + i - 1];
        v[j * n + i] = 0;
        v[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = f > 0 ? -Math.sqrt(h) : Math.sqrt(h);
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        v[i * n + j] = f;
        g = e[j] + v[j * n + j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += v[j * n + k] * d[k];
          e[k] += v[j * n + k] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const half = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= half * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        for (let k = j; k <= i - 1; k++) v[j * n + k] -= f * e[k] + g * d[k];
        d[j] = v[j * n + i - 1];
        v[j * n + i] = 0;
      }
    }
    d[i] = h;
  }
  for (let i = 0; i < n - 1; i++) {
    v[i * n + n - 1] = v[i * n + i];
    v[i * n + i] = 1;
    const h = d[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = v[(i + 1) * n + k] / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += v[(i + 1) * n + k] * v[j * n + k];
        for (let k = 0; k <= i; k++) v[j * n + k] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) v[(i + 1) * n + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = v[j * n + n - 1];
    v[j * n + n - 1] = 0;
  }
  v[(n - 1) * n + n - 1] = 1;
  e[0] = 0;
}

/** Implicit QL iterations on the tridiagonal matrix (d, e), accumulating rotations into `v`. */
function diagonalize(v: Float64Array, d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let shift = 0;
  let norm = 0;
  const epsilon = 2 ** -52;
  for (let l = 0; l < n; l++) {
    norm = Math.max(norm, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1 && Math.abs(e[m]) > epsilon * norm) m++;
    if (m > l) {
      let iterations = 0;
      do {
        iterations += 1;
        if (iterations > 100) throw new Error('symmetricEigen: the QL iteration did not converge.');
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const next = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        shift += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          for (let k = 0; k < n; k++) {
            h = v[(i + 1) * n + k];
            v[(i + 1) * n + k] = s * v[i * n + k] + c * h;
            v[i * n + k] = c * v[i * n + k] - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / next;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > epsilon * norm);
    }
    d[l] += shift;
    e[l] = 0;
  }
}

export interface PrincipalAxes {
  /**
   * The principal directions as unit-length rows, `[components, dimension]` row-major, largest variance first;
   * each sign is fixed so the entry of largest magnitude is positive.
   */
  components: Float64Array;
  /** Variance along each component: the covariance's eigenvalues (negative rounding errors clipped to 0). */
  explainedVariance: Float64Array;
  /** `explainedVariance` divided by the total variance (0 where the total is 0). */
  explainedVarianceRatio: Float64Array;
  /** Total variance: the trace of the covariance, the sum of all the per-dimension variances. */
  totalVariance: number;
}

/**
 * Principal component analysis from a covariance matrix (`dimension` x `dimension`, row-major; only the lower
 * triangle is read): the leading `components` eigenvectors with their variances and shares of the total. Pass the
 * sample covariance (divisor n - 1) for the usual explained variances. Throws for a component count outside
 * [1, dimension] or a non-finite covariance.
 */
export function principalAxes(
  covariance: ArrayLike<number>,
  dimension: number,
  components: number,
): PrincipalAxes {
  const where = 'principalAxes';
  if (!Number.isInteger(dimension) || dimension < 1 || covariance.length !== dimension * dimension) {
    throw new Error(
      `${where}: covariance must hold dimension x dimension values, got ${covariance.length} for dimension ${dimension}.`,
    );
  }
  if (!Number.isInteger(components) || components < 1 || components > dimension) {
    throw new Error(`${where}: components must be an integer in [1, ${dimension}], got ${components}.`);
  }
  for (let i = 0; i < covariance.length; i++) {
    if (!Number.isFinite(covariance[i])) throw new Error(`${where}: the covariance holds non-finite values.`);
  }
  const { values, vectors } = symmetricEigen(covariance, dimension);
  let totalVariance = 0;
  for (let j = 0; j < dimension; j++) totalVariance += covariance[j * dimension + j];
  const explainedVariance = values.slice(0, components).map((value) => Math.max(0, value));
  return {
    components: vectors.slice(0, components * dimension),
    explainedVariance,
    explainedVarianceRatio: explainedVariance.map((value) => (totalVariance > 0 ? value / totalVariance : 0)),
    totalVariance,
  };
}

/**
 * The Cholesky factor L of a symmetric positive definite n x n matrix A = L L^T (row-major; only the lower
 * triangle of A is read), lower triangular with a positive diagonal. Throws when A is not positive definite.
 */
export function cholesky(matrix: ArrayLike<number>, n: number): Float64Array {
  if (matrix.length !== n * n) throw new Error(`cholesky: expected ${n * n} values, got ${matrix.length}.`);
  const factor = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i * n + j];
      for (let k = 0; k < j; k++) sum -= factor[i * n + k] * factor[j * n + k];
      if (i === j) {
        if (!(sum > 0)) {
          throw new Error(
            `cholesky: the matrix is not positive definite (pivot ${i} is ${sum}); add a small value to its diagonal.`,
          );
        }
        factor[i * n + i] = Math.sqrt(sum);
      } else {
        factor[i * n + j] = sum / factor[j * n + j];
      }
    }
  }
  return factor;
}
