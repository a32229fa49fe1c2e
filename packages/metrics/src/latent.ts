import * as tf from '@tensorflow/tfjs-core';
import {
  batchRanges,
  conditioningLabels,
  type DataInput,
  klDivergenceStandardNormalPerDimension,
  type ProbabilisticAutoencoder,
  range,
  toBatchSource,
} from '@vae/core';
import { assertFinite, assertInRange, assertInteger } from './checks';
import { type MatrixInput, toMatrix } from './matrix';

export interface ActiveUnits {
  /** Number of active dimensions. */
  count: number;
  /** Indices of the active dimensions, increasing. */
  dimensions: number[];
  /** Var_x(E_q[z_j|x]) for each dimension j (population variance over examples). */
  variances: Float64Array;
}

function countActive(variances: Float64Array, threshold: number): ActiveUnits {
  const dimensions: number[] = [];
  for (let j = 0; j < variances.length; j++) if (variances[j] > threshold) dimensions.push(j);
  return { count: dimensions.length, dimensions, variances };
}

/**
 * Active units (Burda et al. 2016): a latent dimension j is active when the variance over the data of its posterior
 * mean, A_j = Var_x(E_q[z_j|x]), exceeds `threshold` (default 0.01). `means` holds one row of posterior means per
 * example, shape [examples, latentDim].
 */
export async function activeUnits(means: MatrixInput, threshold = 0.01): Promise<ActiveUnits> {
  const where = 'activeUnits';
  assertInRange(where, 'threshold', threshold, 0, Number.MAX_VALUE);
  const matrix = await toMatrix(means, where, 'means');
  if (matrix.rows < 1) throw new Error(`${where}: means is empty; pass one row per example.`);
  const { rows, columns, values } = matrix;
  const average = new Float64Array(columns);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < columns; j++) average[j] += values[i * columns + j] / rows;
  const variances = new Float64Array(columns);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < columns; j++) variances[j] += (values[i * columns + j] - average[j]) ** 2 / rows;
  }
  return countActive(variances, threshold);
}

export interface LatentHealthOptions {
  /** Examples per batch. Default 1000. */
  batchSize?: number;
  /** A dimension is active when Var_x(E_q[z_j|x]) exceeds this (Burda et al.). Default 0.01. */
  activityThreshold?: number;
  /** A dimension has collapsed to the prior when its average KL is below this, nats. Default 0.01. */
  collapseThreshold?: number;
  /** Labels of data given as a tensor or bare values (conditional models), one per example. */
  labels?: ArrayLike<number>;
}

export interface LatentHealth {
  /** KL(q(z_j|x) || N(0, 1)) for each dimension j, averaged over examples, nats per example. */
  klPerDimension: Float64Array;
  /** Sum of `klPerDimension`: the average KL term of the ELBO, nats per example. */
  kl: number;
  /** Var_x(E_q[z_j|x]) for each dimension (population variance over examples). */
  posteriorMeanVariance: Float64Array;
  /** Number of active dimensions (variance of the posterior mean above `activityThreshold`). */
  activeUnits: number;
  /** Indices of the active dimensions. */
  activeDimensions: number[];
  /** Indices of the dimensions whose average KL is below `collapseThreshold`: q(z_j|x) is the prior. */
  collapsedDimensions: number[];
  /** Human-readable warnings about collapsed or inactive dimensions; empty when every dimension is in use. */
  warnings: string[];
  /** Number of examples evaluated. */
  examples: number;
}

/**
 * Latent health of a VAE over a data set: the KL per latent dimension, the active units (Burda et al. 2016) and a
 * list of dimensions that look collapsed to the prior (posterior collapse), with warnings that say so. Conditional
 * models (`usesLabels`) get each batch's labels from `data.labels`.
 */
export async function latentHealth(
  model: Pick<ProbabilisticAutoencoder, 'encode' | 'usesLabels'>,
  input: DataInput,
  options: LatentHealthOptions = {},
): Promise<LatentHealth> {
  const where = 'latentHealth';
  const data = await toBatchSource(input, { labels: options.labels, caller: where });
  const batchSize = options.batchSize ?? 1000;
  const activityThreshold = options.activityThreshold ?? 0.01;
  const collapseThreshold = options.collapseThreshold ?? 0.01;
  assertInteger(where, 'batchSize', batchSize);
  assertInRange(where, 'activityThreshold', activityThreshold, 0, Number.MAX_VALUE);
  assertInRange(where, 'collapseThreshold', collapseThreshold, 0, Number.MAX_VALUE);
  if (data.size < 1) throw new Error(`${where}: the data set is empty; pass at least one example.`);

  let dimensions = 0;
  let klSums = new Float64Array(0);
  // Welford's running mean and sum of squared deviations of the posterior means, merged batch by batch.
  let runningMean = new Float64Array(0);
  let runningSquares = new Float64Array(0);
  let seen = 0;
  for (const [start, end] of batchRanges(data.size, batchSize)) {
    const rows = end - start;
    const indices = range(start, end);
    const labels = conditioningLabels(model, data, indices, where);
    const [meanTensor, klTensor] = tf.tidy(() => {
      const x = data.batch(indices);
      const { mean, logVar } = model.encode(x, labels);
      if (mean.rank !== 2 || mean.shape[0] !== rows) {
        throw new Error(`${where}: encode returned a mean of shape [${mean.shape}] for ${rows} examples.`);
      }
      return [mean, klDivergenceStandardNormalPerDimension(mean, logVar, { reduction: 'sum' })];
    });
    const [means, kls] = await Promise.all([meanTensor.data(), klTensor.data()]);
    tf.dispose([meanTensor, klTensor]);
    if (seen === 0) {
      dimensions = meanTensor.shape[1];
      klSums = new Float64Array(dimensions);
      runningMean = new Float64Array(dimensions);
      runningSquares = new Float64Array(dimensions);
    }
    assertFinite(where, 'posterior means', means);
    for (let j = 0; j < dimensions; j++) {
      klSums[j] += kls[j];
      let batchMean = 0;
      for (let i = 0; i < rows; i++) batchMean += means[i * dimensions + j] / rows;
      let batchSquares = 0;
      for (let i = 0; i < rows; i++) batchSquares += (means[i * dimensions + j] - batchMean) ** 2;
      const delta = batchMean - runningMean[j];
      const total = seen + rows;
      runningMean[j] += (delta * rows) / total;
      runningSquares[j] += batchSquares + (delta * delta * seen * rows) / total;
    }
    seen += rows;
  }

  const klPerDimension = klSums.map((sum) => sum / data.size);
  assertFinite(where, 'KL per dimension', klPerDimension);
  const posteriorMeanVariance = runningSquares.map((sum) => sum / data.size);
  const active = countActive(posteriorMeanVariance, activityThreshold);
  const collapsedDimensions: number[] = [];
  const warnings: string[] = [];
  for (let j = 0; j < dimensions; j++) {
    const kl = klPerDimension[j].toPrecision(3);
    const variance = posteriorMeanVariance[j].toPrecision(3);
    if (klPerDimension[j] < collapseThreshold) {
      collapsedDimensions.push(j);
      warnings.push(
        `dimension ${j} has collapsed to the prior: KL ${kl} nats < ${collapseThreshold}, ` +
          `Var(E[z|x]) ${variance}; the decoder ignores it.`,
      );
    } else if (posteriorMeanVariance[j] <= activityThreshold) {
      warnings.push(
        `dimension ${j} is inactive: Var(E[z|x]) ${variance} <= ${activityThreshold} although its KL is ${kl} ` +
          'nats; its posterior barely depends on x.',
      );
    }
  }
  if (collapsedDimensions.length === dimensions) {
    warnings.unshift(
      `posterior collapse: all ${dimensions} latent dimensions match the prior; the model encodes nothing ` +
        '(try KL annealing, free bits, or a weaker decoder).',
    );
  }
  const kl = klPerDimension.reduce((a, b) => a + b, 0);
  return {
    klPerDimension,
    kl,
    posteriorMeanVariance,
    activeUnits: active.count,
    activeDimensions: active.dimensions,
    collapsedDimensions,
    warnings,
    examples: data.size,
  };
}
