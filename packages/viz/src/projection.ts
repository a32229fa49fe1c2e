/**
 * 2-D projections of latent codes for scatter plots: principal component analysis (plain JavaScript, exact) and
 * UMAP (through umap-js, seeded). `projectLatents` picks one and reads tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Random } from '@vae/core';
import { UMAP } from 'umap-js';

/** Rows of numbers: an array of arrays or typed arrays, all of one length. */
export type Rows = ArrayLike<ArrayLike<number>>;

export interface PcaOptions {
  /** Number of principal components to keep. Default 2. */
  components?: number;
}

export interface PcaResult {
  /** Each row's coordinates along the components, `[n][components]`. */
  points: number[][];
  /** Unit principal axes, largest variance first, `[components][dimension]`; each has its largest entry positive. */
  components: number[][];
  /** Variance along each component (eigenvalues of the covariance with divisor n - 1). */
  explainedVariance: number[];
  /** Each component's share of the total variance. */
  explainedVarianceRatio: number[];
  /** The column means subtracted before projecting. */
  mean: number[];
}

export interface UmapOptions {
  /** Seed of the random initialisation and sampling; equal seeds give equal embeddings. Default 0. */
  seed?: number;
  /** Neighbours that define the local structure; larger keeps more global structure. Default 15 (n - 1 at most). */
  neighbors?: number;
  /** How tightly points may pack in the embedding, in (0, spread]. Default 0.1. */
  minDistance?: number;
  /** Scale of the embedded points. Default 1. */
  spread?: number;
  /** Optimisation epochs. Default: umap-js's choice (500 for small data sets, 200 for large). */
  epochs?: number;
}

export type ProjectionMethod = 'auto' | 'none' | 'pca' | 'umap';

export interface ProjectLatentsOptions extends UmapOptions {
  /**
   * 'none' keeps the first two dimensions, 'pca' projects on the two principal components, 'umap' embeds with
   * UMAP. Default 'auto': 'none' for codes of size 1 or 2, 'pca' otherwise.
   */
  method?: ProjectionMethod;
}

export interface Projection {
  /** One `[x, y]` per code. */
  points: Array<[number, number]>;
  /** Axis names: `z0` / `z1`, `PC1 (52%)` / `PC2 (21%)` or `UMAP 1` / `UMAP 2`. */
  xLabel: string;
  yLabel: string;
  /** The method used ('auto' resolved). */
  method: Exclude<ProjectionMethod, 'auto'>;
}

/** Copies rows into a row-major Float64Array, checking their lengths and values. */
function readRows(where: string, rows: Rows): { values: Float64Array; count: number; dimension: number } {
  if (rows === null || typeof rows !== 'object' || typeof rows.length !== 'number') {
    throw new Error(`${where}: pass an array of rows (arrays of numbers), e.g. [[0.1, 2], [0.3, -1]].`);
  }
  const count = rows.length;
  if (count === 0) throw new Error(`${where}: there are no rows.`);
  const dimension = rows[0]?.length;
  if (!Number.isInteger(dimension) || dimension < 1) {
    throw new Error(`${where}: row 0 must be a non-empty array of numbers.`);
  }
  const values = new Float64Array(count * dimension);
  for (let i = 0; i < count; i++) {
    const row = rows[i];
    if (row === null || typeof row !== 'object' || row.length !== dimension) {
      throw new Error(
        `${where}: row ${i} has ${row?.length} values but row 0 has ${dimension}; rows must match.`,
      );
    }
    for (let j = 0; j < dimension; j++) {
      const value = row[j];
      if (!Number.isFinite(value)) {
        throw new Error(`${where}: row ${i} holds a non-finite value (${value}) at ${j}; remove or fix it.`);
      }
      values[i * dimension + j] = value;
    }
  }
  return { values, count, dimension };
}

/**
 * Eigen-decomposition of a symmetric matrix (row-major, `size` x `size`) by cyclic Jacobi rotations. Returns the
 * eigenvalues in descending order and the eigenvectors as rows, each with its largest-magnitude entry positive.
 */
export function symmetricEigen(
  matrix: Float64Array,
  size: number,
): { values: number[]; vectors: number[][] } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(size * size);
  for (let i = 0; i < size; i++) v[i * size + i] = 1;
  let scale = 0;
  for (let i = 0; i < a.length; i++) scale += a[i] * a[i];
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < size; p++) for (let q = p + 1; q < size; q++) off += a[p * size + q] ** 2;
    if (off <= 1e-30 * scale || off === 0) break;
    for (let p = 0; p < size; p++) {
      for (let q = p + 1; q < size; q++) {
        const apq = a[p * size + q];
        if (apq === 0) continue;
        const app = a[p * size + p];
        const aqq = a[q * size + q];
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < size; k++) {
          if (k === p || k === q) continue;
          const akp = a[k * size + p];
          const akq = a[k * size + q];
          a[k * size + p] = a[p * size + k] = c * akp - s * akq;
          a[k * size + q] = a[q * size + k] = s * akp + c * akq;
        }
        a[p * size + p] = c * c * app - 2 * s * c * apq + s * s * aqq;
        a[q * size + q] = s * s * app + 2 * s * c * apq + c * c * aqq;
        a[p * size + q] = a[q * size + p] = 0;
        for (let k = 0; k < size; k++) {
          const vkp = v[k * size + p];
          const vkq = v[k * size + q];
          v[k * size + p] = c * vkp - s * vkq;
          v[k * size + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: size }, (_, i) => i).sort((i, j) => a[j * size + j] - a[i * size + i]);
  const vectors = order.map((column) => {
    const vector = Array.from({ length: size }, (_, k) => v[k * size + column]);
    let largest = 0;
    for (const entry of vector) if (Math.abs(entry) > Math.abs(largest)) largest = entry;
    return largest < 0 ? vector.map((entry) => -entry) : vector;
  });
  return { values: order.map((i) => a[i * size + i]), vectors };
}

/**
 * Principal component analysis: centres the rows, eigen-decomposes their covariance exactly (Jacobi rotations,
 * so meant for latent codes of up to a few hundred dimensions) and projects onto the leading components.
 * Deterministic: each axis is oriented so that its largest entry is positive.
 */
export function pca(rows: Rows, options: PcaOptions = {}): PcaResult {
  const where = 'pca';
  const { values, count, dimension } = readRows(where, rows);
  const components = options.components ?? 2;
  if (!Number.isInteger(components) || components < 1 || components > dimension) {
    throw new Error(`${where}: components must be an integer in [1, ${dimension}], got ${components}.`);
  }
  const mean = new Array<number>(dimension).fill(0);
  for (let i = 0; i < count; i++) for (let j = 0; j < dimension; j++) mean[j] += values[i * dimension + j];
  for (let j = 0; j < dimension; j++) mean[j] /= count;
  const centred = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) centred[i] = values[i] - mean[i % dimension];
  const covariance = new Float64Array(dimension * dimension);
  const divisor = Math.max(1, count - 1);
  for (let p = 0; p < dimension; p++) {
    for (let q = p; q < dimension; q++) {
      let sum = 0;
      for (let i = 0; i < count; i++) sum += centred[i * dimension + p] * centred[i * dimension + q];
      covariance[p * dimension + q] = covariance[q * dimension + p] = sum / divisor;
    }
  }
  const eigen = symmetricEigen(covariance, dimension);
  const axes = eigen.vectors.slice(0, components);
  const variances = eigen.values.slice(0, components).map((value) => Math.max(0, value));
  const total = eigen.values.reduce((sum, value) => sum + Math.max(0, value), 0);
  const points = Array.from({ length: count }, (_, i) =>
    axes.map((axis) => {
      let sum = 0;
      for (let j = 0; j < dimension; j++) sum += centred[i * dimension + j] * axis[j];
      return sum;
    }),
  );
  return {
    points,
    components: axes,
    explainedVariance: variances,
    explainedVarianceRatio: variances.map((value) => (total > 0 ? value / total : 0)),
    mean,
  };
}

/**
 * Embeds rows in 2-D with UMAP (McInnes et al. 2018) through umap-js, seeded for repeatable results. Fewer than 3
 * rows are returned as PCA coordinates (UMAP needs neighbours). Synchronous: for thousands of rows it takes
 * seconds, so in a browser call it from a worker.
 */
export function umapEmbedding(rows: Rows, options: UmapOptions = {}): Array<[number, number]> {
  const where = 'umapEmbedding';
  const { values, count, dimension } = readRows(where, rows);
  const neighbors = options.neighbors ?? 15;
  if (!Number.isInteger(neighbors) || neighbors < 2) {
    throw new Error(`${where}: neighbors must be an integer >= 2, got ${neighbors}.`);
  }
  const minDistance = options.minDistance ?? 0.1;
  const spread = options.spread ?? 1;
  if (!(spread > 0) || !(minDistance >= 0 && minDistance <= spread)) {
    throw new Error(
      `${where}: need spread > 0 and 0 <= minDistance <= spread, got ${minDistance} and ${spread}.`,
    );
  }
  if (options.epochs !== undefined && (!Number.isInteger(options.epochs) || options.epochs < 1)) {
    throw new Error(`${where}: epochs must be a positive integer, got ${options.epochs}.`);
  }
  const data = Array.from({ length: count }, (_, i) =>
    Array.from(values.subarray(i * dimension, (i + 1) * dimension)),
  );
  if (count < 3) {
    const padded = dimension === 1 ? data.map((row) => [row[0], 0]) : data;
    return pca(padded, { components: 2 }).points.map((point) => [point[0], point[1]]);
  }
  const random = new Random(options.seed ?? 0);
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors: Math.min(neighbors, count - 1),
    minDist: minDistance,
    spread,
    nEpochs: options.epochs,
    random: () => random.next(),
  });
  return umap.fit(data).map((point) => [point[0], point[1]]);
}

/** Reads codes from a tensor `[n, size]` or rows of numbers. */
async function readCodes(where: string, codes: tf.Tensor | Rows): Promise<number[][]> {
  if (codes instanceof tf.Tensor) {
    if (codes.isDisposed) throw new Error(`${where}: the codes tensor is disposed.`);
    if (codes.rank !== 2) {
      throw new Error(`${where}: codes must have shape [n, latentSize], got [${codes.shape}].`);
    }
    const [count, size] = codes.shape;
    const values = await codes.data();
    return Array.from({ length: count }, (_, i) => Array.from(values.subarray(i * size, (i + 1) * size)));
  }
  const { values, count, dimension } = readRows(where, codes);
  return Array.from({ length: count }, (_, i) =>
    Array.from(values.subarray(i * dimension, (i + 1) * dimension)),
  );
}

/**
 * Projects latent codes (a tensor `[n, latentSize]`, left to the caller to dispose, or rows of numbers) to 2-D
 * points for {@link scatterSvg}, with axis names: `scatterSvg({ ...(await projectLatents(mean)), labels })`.
 */
export async function projectLatents(
  codes: tf.Tensor | Rows,
  options: ProjectLatentsOptions = {},
): Promise<Projection> {
  const where = 'projectLatents';
  const rows = await readCodes(where, codes);
  if (rows.length === 0) throw new Error(`${where}: there are no codes.`);
  const size = rows[0].length;
  const requested = options.method ?? 'auto';
  if (!['auto', 'none', 'pca', 'umap'].includes(requested)) {
    throw new Error(`${where}: method must be 'auto', 'none', 'pca' or 'umap', got ${requested}.`);
  }
  const method = requested === 'auto' ? (size <= 2 ? 'none' : 'pca') : requested;
  if (method === 'none') {
    return {
      points: rows.map((row) => [row[0], size > 1 ? row[1] : 0]),
      xLabel: 'z0',
      yLabel: size > 1 ? 'z1' : '',
      method,
    };
  }
  if (method === 'pca') {
    const padded = size === 1 ? rows.map((row) => [row[0], 0]) : rows;
    const result = pca(padded, { components: 2 });
    const percent = (ratio: number) => `${Math.round(ratio * 100)}%`;
    return {
      points: result.points.map((point) => [point[0], point[1]]),
      xLabel: `PC1 (${percent(result.explainedVarianceRatio[0])} of variance)`,
      yLabel: `PC2 (${percent(result.explainedVarianceRatio[1])} of variance)`,
      method,
    };
  }
  return { points: umapEmbedding(rows, options), xLabel: 'UMAP 1', yLabel: 'UMAP 2', method };
}
