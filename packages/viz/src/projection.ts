/**
 * 2-D projections of latent codes for scatter plots: onto the principal axes (core's `principalAxes`, the PCA that
 * `pca` of `@vae/metrics` uses too) and UMAP (through umap-js, seeded). `projectLatents` picks one and reads tensors.
 * umap-js (with ml-matrix, about 22 kB gzipped) is imported only when UMAP is asked for, so image grids, charts and
 * PCA scatters never load it; `umapEmbedding` itself is in the subpath `@vae/viz/umap`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { principalAxes } from '@vae/core';

/** Rows of numbers: an array of arrays or typed arrays, all of one length. */
export type Rows = ArrayLike<ArrayLike<number>>;

/** @deprecated With `pca` of this package: use `pca` of `@vae/metrics`, or `projectLatents` for scatter points. */
export interface PcaOptions {
  /** Number of principal components to keep. Default 2. */
  components?: number;
}

/** @deprecated With `pca` of this package: use `pca` of `@vae/metrics`, or `projectLatents` for scatter points. */
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
/** @internal Reads rows into one float64 array (shared with umap.ts). */
export function readRows(
  where: string,
  rows: Rows,
): { values: Float64Array; count: number; dimension: number } {
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
 * The coordinates of the rows along their leading principal axes, with those axes: centres the rows, forms their
 * sample covariance (divisor n - 1, float64) and decomposes it with core's `principalAxes`. Deterministic: each axis
 * has its entry of largest magnitude positive.
 */
/** @internal The PCA coordinates of rows (shared with umap.ts). */
export function principalCoordinates(where: string, rows: Rows, components: number): PcaResult {
  const { values, count, dimension } = readRows(where, rows);
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
  const result = principalAxes(covariance, dimension, components);
  const axes = Array.from({ length: components }, (_, k) =>
    Array.from(result.components.subarray(k * dimension, (k + 1) * dimension)),
  );
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
    explainedVariance: Array.from(result.explainedVariance),
    explainedVarianceRatio: Array.from(result.explainedVarianceRatio),
    mean,
  };
}

/**
 * Principal component analysis of rows, with each row's coordinates along the components.
 *
 * @deprecated PCA belongs to `@vae/metrics` (`pca`: principal axes and explained variance of any data set); this
 * package draws: `projectLatents(codes, { method: 'pca' })` gives the 2-D points for `scatterSvg`. Both use core's
 * `principalAxes`, so the results are the same.
 */
export function pca(rows: Rows, options: PcaOptions = {}): PcaResult {
  return principalCoordinates('pca', rows, options.components ?? 2);
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
    const result = principalCoordinates(where, padded, 2);
    const percent = (ratio: number) => `${Math.round(ratio * 100)}%`;
    return {
      points: result.points.map((point) => [point[0], point[1]]),
      xLabel: `PC1 (${percent(result.explainedVarianceRatio[0])} of variance)`,
      yLabel: `PC2 (${percent(result.explainedVarianceRatio[1])} of variance)`,
      method,
    };
  }
  const { umapEmbedding } = await import('./umap');
  return { points: umapEmbedding(rows, options), xLabel: 'UMAP 1', yLabel: 'UMAP 2', method };
}
