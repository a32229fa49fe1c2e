/**
 * The aggregate posterior q(z) = 1/N sum_n q(z|x_n) estimated on a minibatch, the decomposition of the KL term into
 * index-code mutual information, total correlation and dimension-wise KL (Chen et al., "Isolating Sources of
 * Disentanglement in Variational Autoencoders", NeurIPS 2018), and the dimension-wise permutation of Kim and Mnih
 * ("Disentangling by Factorising", ICML 2018) that turns samples of q(z) into samples of prod_d q(z_d). In nats.
 */
import * as tf from '@tensorflow/tfjs-core';
import './gradients';
import { gaussianLogDensity, standardNormalLogDensity } from './distributions';
import { logSumExp } from './log-space';
import { Random } from './random';
import { assertPositiveInteger, assertRank, assertSameShape, LOG_TWO_PI } from './validation';

/**
 * How the minibatch stands in for the data set in q(z_i) = 1/N sum_n q(z_i|x_n):
 * 'mws': minibatch-weighted sampling, Chen et al.'s estimator as their paper and code write it,
 * `log q(z_i) ~ logsumexp_j log q(z_i|x_j) - log(N M)`. Its constants are biased (log q(z) by about -log M when the
 * posteriors barely overlap; the total correlation by (D - 1) log N when they coincide), which shifts the reported
 * terms but not their gradients.
 * 'mss': stratified importance weights, 1/N for the example's own posterior and (N - 1) / (N (M - 1)) for each of the
 * M - 1 others (the rest of the data set seen through the minibatch). Consistent: the terms are exact when every
 * posterior is the same, and with N = M it is the minibatch's own mixture. Needs M >= 2.
 */
export type AggregatePosteriorEstimator = 'mws' | 'mss';

export const AGGREGATE_POSTERIOR_ESTIMATORS: readonly AggregatePosteriorEstimator[] = ['mws', 'mss'];

export interface AggregatePosteriorOptions {
  /** N: examples in the training set (the minibatch's M rows are drawn from it). Must be >= the batch size. */
  datasetSize: number;
  /** Default 'mws' (Chen et al.). */
  estimator?: AggregatePosteriorEstimator;
}

function checkInputs(caller: string, z: tf.Tensor, mean: tf.Tensor, logVar: tf.Tensor): void {
  assertRank(caller, 'z', z, 2, '[batch, latent]');
  assertSameShape(caller, 'z', z, 'mean', mean);
  assertSameShape(caller, 'mean', mean, 'logVar', logVar);
  if (z.shape[0] < 1) throw new Error(`${caller}: z has an empty batch; pass at least one row.`);
}

/** log w_ij [M, M]: the weight of posterior j in the estimate of q(z_i). */
function logWeights(caller: string, batch: number, options: AggregatePosteriorOptions): tf.Tensor2D {
  const { datasetSize } = options;
  const estimator = options.estimator ?? 'mws';
  assertPositiveInteger(caller, 'datasetSize', datasetSize);
  if (datasetSize < batch) {
    throw new Error(
      `${caller}: datasetSize (${datasetSize}) is smaller than the batch (${batch}); pass the number of training ` +
        'examples the batch was drawn from.',
    );
  }
  if (!AGGREGATE_POSTERIOR_ESTIMATORS.includes(estimator)) {
    throw new Error(`${caller}: estimator '${estimator}' is not supported; use 'mws' or 'mss'.`);
  }
  if (estimator === 'mws') return tf.fill([batch, batch], -Math.log(datasetSize * batch)) as tf.Tensor2D;
  if (batch < 2) {
    throw new Error(
      `${caller}: the 'mss' estimator needs a batch of 2 or more rows; use 'mws' or a larger batch.`,
    );
  }
  const own = -Math.log(datasetSize);
  const other = datasetSize === batch ? own : Math.log((datasetSize - 1) / (datasetSize * (batch - 1)));
  return tf.tidy(() => tf.add(other, tf.mul(own - other, tf.eye(batch)))) as tf.Tensor2D;
}

/**
 * log q(z_id | x_j) for every pair of rows, [M, M, D]: entry [i, j, d] is log N(z_id; mean_jd, exp(logVar_jd)).
 * Memory grows with M^2 D.
 */
export function pairwiseLogDensities(z: tf.Tensor, mean: tf.Tensor, logVar: tf.Tensor): tf.Tensor3D {
  checkInputs('pairwiseLogDensities', z, mean, logVar);
  return tf.tidy(() => {
    const zi = tf.expandDims(z, 1); // [M, 1, D]
    const mj = tf.expandDims(mean, 0); // [1, M, D]
    const lj = tf.expandDims(logVar, 0);
    const quadratic = tf.mul(tf.square(tf.sub(zi, mj)), tf.exp(tf.neg(lj)));
    return tf.mul(-0.5, tf.add(tf.add(quadratic, lj), LOG_TWO_PI)) as tf.Tensor3D;
  });
}

/**
 * Minibatch estimates of the aggregate posterior's log-density at each row's sample z_i (drawn from q(z|x_i)):
 * `joint` [M], log q(z_i), and `marginals` [M, D], log q(z_id) of each dimension, both
 * `logsumexp_j (log q(. | x_j) + log w_ij)` with the weights of `options.estimator`.
 */
export function logAggregatePosterior(
  z: tf.Tensor,
  mean: tf.Tensor,
  logVar: tf.Tensor,
  options: AggregatePosteriorOptions,
): { joint: tf.Tensor1D; marginals: tf.Tensor2D } {
  const caller = 'logAggregatePosterior';
  checkInputs(caller, z, mean, logVar);
  const batch = z.shape[0];
  return tf.tidy(() => {
    const weights = logWeights(caller, batch, options);
    const pairs = pairwiseLogDensities(z, mean, logVar);
    const joint = logSumExp(tf.add(tf.sum(pairs, 2), weights), 1) as tf.Tensor1D;
    const marginals = logSumExp(tf.add(pairs, tf.expandDims(weights, 2)), 1) as tf.Tensor2D;
    return { joint, marginals };
  });
}

/** The three parts of the KL term of Chen et al., batch means in nats. */
export interface KlDecomposition {
  /** Index-code mutual information, E[log q(z|x) - log q(z)]. */
  mutualInformation: tf.Scalar;
  /** Total correlation, E[log q(z) - sum_d log q(z_d)]: KL(q(z) || prod_d q(z_d)). */
  totalCorrelation: tf.Scalar;
  /** Dimension-wise KL, E[sum_d log q(z_d) - log p(z)] with p = N(0, I). */
  dimensionWiseKl: tf.Scalar;
}

/**
 * The KL term split as Chen et al. do, on a minibatch whose row i holds a sample z_i of q(z|x_i) = N(mean_i,
 * exp(logVar_i)): E[log q(z|x) - log p(z)] = mutual information + total correlation + dimension-wise KL, the
 * aggregate densities estimated by `logAggregatePosterior`. The three parts add up exactly to the Monte Carlo KL
 * estimate `mean_i (log q(z_i|x_i) - log N(z_i; 0, I))` whatever the estimator. Differentiable in all inputs.
 */
export function klDecomposition(
  z: tf.Tensor,
  mean: tf.Tensor,
  logVar: tf.Tensor,
  options: AggregatePosteriorOptions,
): KlDecomposition {
  checkInputs('klDecomposition', z, mean, logVar);
  const [mutualInformation, totalCorrelation, dimensionWiseKl] = tf.tidy(() => {
    const { joint, marginals } = logAggregatePosterior(z, mean, logVar, options);
    const conditional = gaussianLogDensity(z, mean, logVar);
    const product = tf.sum(marginals, 1);
    const prior = standardNormalLogDensity(z);
    return [
      tf.mean(tf.sub(conditional, joint)),
      tf.mean(tf.sub(joint, product)),
      tf.mean(tf.sub(product, prior)),
    ] as tf.Scalar[];
  });
  return { mutualInformation, totalCorrelation, dimensionWiseKl };
}

/** The total correlation KL(q(z) || prod_d q(z_d)) alone, estimated as in `klDecomposition` (nats). */
export function totalCorrelation(
  z: tf.Tensor,
  mean: tf.Tensor,
  logVar: tf.Tensor,
  options: AggregatePosteriorOptions,
): tf.Scalar {
  checkInputs('totalCorrelation', z, mean, logVar);
  return tf.tidy(() => {
    const { joint, marginals } = logAggregatePosterior(z, mean, logVar, options);
    return tf.mean(tf.sub(joint, tf.sum(marginals, 1))) as tf.Scalar;
  });
}

/**
 * Each column of z [M, D] shuffled independently across the batch (Kim and Mnih's permute_dims): if the rows are
 * samples of q(z), the result's rows are approximately samples of prod_d q(z_d). Seeded; differentiable (a gather).
 */
export function permuteDimensions(z: tf.Tensor, seed: number | Random): tf.Tensor2D {
  const caller = 'permuteDimensions';
  assertRank(caller, 'z', z, 2, '[batch, latent]');
  const random = seed instanceof Random ? seed : new Random(seed);
  const [batch, dims] = z.shape as [number, number];
  // One permutation matrix per dimension, applied by a batched matMul ([D, M, M] x [D, M, 1]): differentiable on
  // every backend (a gather's gradient needs UnsortedSegmentSum, which tfjs 4.22's wasm backend lacks).
  const matrices = new Float32Array(dims * batch * batch);
  for (let d = 0; d < dims; d++) {
    const order = random.permutation(batch);
    for (let i = 0; i < batch; i++) matrices[d * batch * batch + i * batch + order[i]] = 1;
  }
  return tf.tidy(() => {
    const columns = tf.reshape(tf.transpose(z), [dims, batch, 1]);
    const shuffled = tf.matMul(tf.tensor3d(matrices, [dims, batch, batch]), columns as tf.Tensor3D);
    return tf.transpose(tf.reshape(shuffled, [dims, batch])) as tf.Tensor2D;
  });
}
