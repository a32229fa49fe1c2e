import * as tf from '@tensorflow/tfjs-core';
import { type BatchSource, batchRanges, principalAxes, range, symmetricEigen } from '@vae/core';
import { assertFinite, assertInteger } from './checks';
import { orthonormalRows } from './linear-algebra';
import { type Matrix, type MatrixInput, toMatrix } from './matrix';

export interface PcaOptions {
  /** Number of principal components to keep. Default: all (min(examples - 1, dimension), at least 1). */
  components?: number;
  /** Examples per batch when reading a BatchSource or a tensor. Default 1000. */
  batchSize?: number;
}

export interface PcaResult {
  /** The data mean, one value per input dimension. */
  mean: Float64Array;
  /**
   * The principal directions as unit-length rows, [components, dimension], largest variance first; each sign is
   * fixed so the entry of largest magnitude is positive.
   */
  components: Matrix;
  /** Variance along each component (eigenvalues of the sample covariance, divided by examples - 1). */
  explainedVariance: Float64Array;
  /** `explainedVariance` divided by the total variance (the trace of the covariance). */
  explainedVarianceRatio: Float64Array;
  /** Total variance: the sum of all the per-dimension variances. */
  totalVariance: number;
  /** Number of examples read. */
  examples: number;
}

function isBatchSource(data: unknown): data is BatchSource {
  return typeof data === 'object' && data !== null && typeof (data as BatchSource).batch === 'function';
}

/** Reads rows [start, end) of the data as a float32 [rows, dimension] tensor. */
type RowReader = (start: number, end: number) => tf.Tensor2D;

/**
 * Principal component analysis, the linear baseline for autoencoders: the eigendecomposition of the sample
 * covariance of the data. The covariance is accumulated batch by batch on the active backend (float32 products,
 * float64 sums) and decomposed in float64 in JavaScript by core's `principalAxes` (the toolkit's one PCA
 * decomposition, which `@vae/viz` projects with too), so the input dimension should stay in the low thousands (784
 * for MNIST takes a few seconds).
 */
export async function pca(data: BatchSource | MatrixInput, options: PcaOptions = {}): Promise<PcaResult> {
  const where = 'pca';
  const batchSize = options.batchSize ?? 1000;
  assertInteger(where, 'batchSize', batchSize);
  let examples: number;
  let dimension: number;
  let read: RowReader;
  let release = () => {};
  if (isBatchSource(data)) {
    examples = data.size;
    dimension = data.itemShape.reduce((a, b) => a * b, 1);
    read = (start, end) => tf.tidy(() => tf.reshape(data.batch(range(start, end)), [end - start, dimension]));
  } else if (data instanceof tf.Tensor) {
    if (data.rank < 2)
      throw new Error(`${where}: data must have shape [examples, ...], got [${data.shape}].`);
    examples = data.shape[0];
    dimension = examples === 0 ? 0 : data.size / examples;
    const flat = tf.reshape(data, [examples, dimension]) as tf.Tensor2D;
    read = (start, end) => tf.slice(flat, [start, 0], [end - start, dimension]);
    release = () => flat.dispose();
  } else {
    const matrix = await toMatrix(data, where, 'data');
    examples = matrix.rows;
    dimension = matrix.columns;
    read = (start, end) =>
      tf.tensor2d(Float32Array.from(matrix.values.subarray(start * dimension, end * dimension)), [
        end - start,
        dimension,
      ]);
  }
  try {
    if (examples < 2) throw new Error(`${where}: need at least 2 examples, got ${examples}.`);
    if (dimension < 1) throw new Error(`${where}: examples have no values.`);
    const components = options.components ?? Math.max(1, Math.min(examples - 1, dimension));
    assertInteger(where, 'components', components);
    if (components > dimension) {
      throw new Error(`${where}: components (${components}) exceeds the input dimension (${dimension}).`);
    }
    const ranges = batchRanges(examples, batchSize);

    const mean = new Float64Array(dimension);
    for (const [start, end] of ranges) {
      const sum = tf.tidy(() => tf.sum(read(start, end), 0));
      const values = await sum.data();
      sum.dispose();
      for (let j = 0; j < dimension; j++) mean[j] += values[j];
    }
    for (let j = 0; j < dimension; j++) mean[j] /= examples;
    assertFinite(where, 'data mean', mean);

    const meanTensor = tf.tensor1d(Float32Array.from(mean));
    const covariance = new Float64Array(dimension * dimension);
    try {
      for (const [start, end] of ranges) {
        const product = tf.tidy(() => {
          const centered = tf.sub(read(start, end), meanTensor);
          return tf.matMul(centered, centered, true, false);
        });
        const values = await product.data();
        product.dispose();
        for (let i = 0; i < values.length; i++) covariance[i] += values[i];
      }
    } finally {
      meanTensor.dispose();
    }
    for (let i = 0; i < covariance.length; i++) covariance[i] /= examples - 1;
    assertFinite(where, 'covariance', covariance);

    const axes = principalAxes(covariance, dimension, components);
    return {
      mean,
      components: { values: axes.components, rows: components, columns: dimension },
      explainedVariance: axes.explainedVariance,
      explainedVarianceRatio: axes.explainedVarianceRatio,
      totalVariance: axes.totalVariance,
      examples,
    };
  } finally {
    release();
  }
}

export interface PrincipalAngles {
  /** The principal angles between the two subspaces, radians in [0, pi / 2], smallest first. */
  angles: Float64Array;
  /** Their cosines (the canonical correlations), largest first. */
  cosines: Float64Array;
  /** The largest principal angle, radians: 0 when one subspace contains the other. */
  largestAngle: number;
  /** The geodesic (Grassmann) distance sqrt(sum angles^2), radians. */
  distance: number;
}

/**
 * Principal angles between the subspaces spanned by the rows of `a` ([p, dimension]) and the rows of `b`
 * ([q, dimension]), e.g. a linear autoencoder's decoder kernel ([latentDim, inputSize], as a dense layer stores it)
 * against `pca(...).components`. The rows need not be orthonormal, only linearly independent. Returns min(p, q)
 * angles; accurate to about 1e-8 radians (they come from cosines).
 */
export async function principalAngles(a: MatrixInput, b: MatrixInput): Promise<PrincipalAngles> {
  const where = 'principalAngles';
  const first = await toMatrix(a, where, 'a');
  const second = await toMatrix(b, where, 'b');
  if (first.rows < 1 || second.rows < 1) throw new Error(`${where}: each subspace needs at least one row.`);
  if (first.columns !== second.columns) {
    throw new Error(
      `${where}: a has rows of ${first.columns} values but b has rows of ${second.columns}; both span subspaces ` +
        'of the same space, one basis vector per row.',
    );
  }
  const n = first.columns;
  const qa = orthonormalRows(first.values, first.rows, n, where);
  const qb = orthonormalRows(second.values, second.rows, n, where);
  // The singular values of Qa Qb^T are the cosines; get them from the eigenvalues of the smaller Gram matrix.
  const [small, large, p, q] =
    first.rows <= second.rows ? [qa, qb, first.rows, second.rows] : [qb, qa, second.rows, first.rows];
  const cross = new Float64Array(p * q);
  for (let i = 0; i < p; i++) {
    for (let k = 0; k < q; k++) {
      let dot = 0;
      for (let j = 0; j < n; j++) dot += small[i * n + j] * large[k * n + j];
      cross[i * q + k] = dot;
    }
  }
  const gram = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let l = 0; l < p; l++) {
      let dot = 0;
      for (let k = 0; k < q; k++) dot += cross[i * q + k] * cross[l * q + k];
      gram[i * p + l] = dot;
    }
  }
  const { values } = symmetricEigen(gram, p);
  const cosines = values.map((value) => Math.sqrt(Math.min(1, Math.max(0, value))));
  const angles = cosines.map((cosine) => Math.acos(cosine));
  const distance = Math.sqrt(angles.reduce((sum, angle) => sum + angle * angle, 0));
  return { angles, cosines, largestAngle: angles[angles.length - 1], distance };
}
