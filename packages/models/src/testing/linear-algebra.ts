/** Plain-JS linear algebra for tests: covariance, top eigenvectors by power iteration, orthonormal bases. */

export type Matrix = number[][];

/** Columns of `a` ([n][k]) made orthonormal by Gram-Schmidt. */
export function orthonormalColumns(a: Matrix): Matrix {
  const n = a.length;
  const k = a[0].length;
  const q: number[][] = [];
  for (let j = 0; j < k; j++) {
    const v = a.map((row) => row[j]);
    for (const u of q) {
      const dot = u.reduce((s, ui, i) => s + ui * v[i], 0);
      for (let i = 0; i < n; i++) v[i] -= dot * u[i];
    }
    const norm = Math.sqrt(v.reduce((s, vi) => s + vi * vi, 0));
    q.push(v.map((vi) => vi / norm));
  }
  return a.map((_, i) => q.map((u) => u[i]));
}

/** The `k` leading eigenvectors (as columns, [n][k]) of a symmetric matrix, by power iteration with deflation. */
export function topEigenvectors(s: Matrix, k: number, iterations = 500): Matrix {
  const n = s.length;
  const m = s.map((row) => [...row]);
  const vectors: number[][] = [];
  for (let j = 0; j < k; j++) {
    let v = Array.from({ length: n }, (_, i) => Math.sin(i + 1 + j));
    let lambda = 0;
    for (let t = 0; t < iterations; t++) {
      const w = m.map((row) => row.reduce((acc, mij, i) => acc + mij * v[i], 0));
      const norm = Math.sqrt(w.reduce((acc, wi) => acc + wi * wi, 0));
      v = w.map((wi) => wi / norm);
      lambda = norm;
    }
    vectors.push(v);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) m[a][b] -= lambda * v[a] * v[b];
  }
  return Array.from({ length: n }, (_, i) => vectors.map((v) => v[i]));
}

/** The covariance matrix of rows ([m][n]). */
export function covariance(rows: Matrix): Matrix {
  const m = rows.length;
  const n = rows[0].length;
  const mean = Array.from({ length: n }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / m);
  return Array.from({ length: n }, (_, a) =>
    Array.from(
      { length: n },
      (_, b) => rows.reduce((s, r) => s + (r[a] - mean[a]) * (r[b] - mean[b]), 0) / m,
    ),
  );
}

/** |P - Q|_F between the orthogonal projectors onto the column spaces of two orthonormal bases ([n][k]). */
export function projectorDistance(p: Matrix, q: Matrix): number {
  const n = p.length;
  let sum = 0;
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      const pp = p[a].reduce((s, v, j) => s + v * p[b][j], 0);
      const qq = q[a].reduce((s, v, j) => s + v * q[b][j], 0);
      sum += (pp - qq) ** 2;
    }
  }
  return Math.sqrt(sum);
}
