/**
 * Closed-form KL divergences between diagonal Gaussians, in nats. Mean and log-variance tensors have shape
 * [batch, ...latent]; "summed" functions add over all latent axes (one value per example), "per dimension"
 * functions keep every latent dimension.
 *
 * The lecture notes write the prior KL in two ways; the correct one is
 * `KL(N(mu, sigma^2) || N(0, 1)) = 1/2 (sigma^2 + mu^2 - 1 - log sigma^2)` per dimension, i.e.
 * `-1/2 sum_j (1 + log sigma_j^2 - mu_j^2 - sigma_j^2)`. (One slide has `-1/2 sum (sigma + mu^2 - 1 - log sigma)`,
 * with a stray minus sign and sigma in place of sigma^2.)
 */
import * as tf from '@tensorflow/tfjs-core';
import './gradients';
import {
  assertBatched,
  assertBroadcastsTo,
  assertSameShape,
  checkReduction,
  flattenRows,
  type Reduction,
  reduceBatch,
} from './validation';

export interface DivergenceOptions {
  /**
   * Summed forms: 'none' gives [batch], 'mean' (default) and 'sum' a scalar. Per-dimension forms: 'none' keeps
   * the input's shape [batch, ...latent], 'mean' (default) and 'sum' reduce over the batch axis only, giving
   * [...latent] (e.g. the average KL of each latent unit, for counting active units).
   */
  reduction?: Reduction;
}

function reducePerDimension(perDimension: tf.Tensor, reduction: Reduction, caller: string): tf.Tensor {
  checkReduction(reduction, caller);
  if (reduction === 'none') return perDimension;
  return reduction === 'mean' ? tf.mean(perDimension, 0) : tf.sum(perDimension, 0);
}

/**
 * KL(N(mu, sigma^2) || N(0, 1)) elementwise, `1/2 (mu^2 + sigma^2 - 1 - log sigma^2)`: the one definition of the
 * prior KL, which the summed form (forward pass of its custom gradient) and the per-dimension form share. It is
 * `diagonalElementwise` at priorMean = 0, priorLogVar = 0 (the tests check both against the closed form), written
 * out because it runs in every training step: about half the element-wise kernels. `variance` is exp(logVar) when the
 * caller has it already.
 */
function standardNormalElementwise(mean: tf.Tensor, logVar: tf.Tensor, variance = tf.exp(logVar)): tf.Tensor {
  return tf.mul(0.5, tf.sub(tf.add(tf.square(mean), variance), tf.add(1, logVar)));
}

function checkPosterior(caller: string, mean: tf.Tensor, logVar: tf.Tensor): void {
  assertSameShape(caller, 'mean', mean, 'logVar', logVar);
  assertBatched(caller, 'mean', mean);
}

/**
 * KL(N(mu, diag(exp(logVar))) || N(0, I)) in closed form:
 * `-1/2 * sum_j (1 + logVar_j - mu_j^2 - exp(logVar_j))`, summed over latent dimensions (nats per example), then
 * reduced over the batch (`mean` by default). Use `reduction: 'none'` for one value per example, shape [batch].
 * Gradients: `d/dmu = mu`, `d/dlogVar = (exp(logVar) - 1) / 2`.
 */
export function klDivergenceStandardNormal(
  mean: tf.Tensor,
  logVar: tf.Tensor,
  options: DivergenceOptions = {},
): tf.Tensor {
  const caller = 'klDivergenceStandardNormal';
  checkPosterior(caller, mean, logVar);
  return tf.tidy(() =>
    reduceBatch(
      standardNormalRows(flattenRows(mean), flattenRows(logVar)),
      options.reduction ?? 'mean',
      caller,
    ),
  );
}

/**
 * Per-row sums of the per-dimension KL over [batch, latent] rows, with the gradient written out:
 * `d/dmu = mu`, `d/dlogVar = (exp(logVar) - 1) / 2`, each times the upstream gradient of the row. The forward
 * pass is the same ops as autodiff would record; the backward pass runs four small kernels where autodiff of the
 * six element-wise ops runs about a dozen, plus the copies it saves for them.
 */
const standardNormalRows = tf.customGrad(((...args: unknown[]) => {
  const mean = args[0] as tf.Tensor2D;
  const logVar = args[1] as tf.Tensor2D;
  const save = args[2] as tf.GradSaveFunc;
  const variance = tf.exp(logVar);
  save([mean, variance]);
  const perDimension = standardNormalElementwise(mean, logVar, variance);
  return {
    value: tf.sum(perDimension, 1),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedMean, savedVariance] = saved;
      const upstream = tf.reshape(dy, [dy.shape[0] ?? 0, 1]);
      return [tf.mul(savedMean, upstream), tf.mul(tf.mul(tf.sub(savedVariance, 1), 0.5), upstream)];
    },
  };
}) as Parameters<typeof tf.customGrad>[0]) as (mean: tf.Tensor, logVar: tf.Tensor) => tf.Tensor1D;

/**
 * KL(N(mu_j, exp(logVar_j)) || N(0, 1)) for every latent dimension separately, in nats:
 * `1/2 (mu_j^2 + exp(logVar_j) - 1 - logVar_j)`. With `reduction: 'none'` the shape of `mean`; with 'mean'
 * (default) or 'sum' reduced over the batch axis only, shape [...latent]. Summing over dimensions gives
 * `klDivergenceStandardNormal`.
 */
export function klDivergenceStandardNormalPerDimension(
  mean: tf.Tensor,
  logVar: tf.Tensor,
  options: DivergenceOptions = {},
): tf.Tensor {
  const caller = 'klDivergenceStandardNormalPerDimension';
  checkPosterior(caller, mean, logVar);
  return tf.tidy(() =>
    reducePerDimension(standardNormalElementwise(mean, logVar), options.reduction ?? 'mean', caller),
  );
}

function diagonalElementwise(
  mean: tf.Tensor,
  logVar: tf.Tensor,
  priorMean: tf.Tensor,
  priorLogVar: tf.Tensor,
): tf.Tensor {
  // 1/2 (logVarP - logVarQ + (exp(logVarQ) + (muQ - muP)^2) / exp(logVarP) - 1)
  const ratio = tf.mul(
    // tf.square(tf.sub(...)): tfjs 4.22's squaredDifference gradient ignores broadcasting (a prior of shape [latent]).
    tf.add(tf.exp(logVar), tf.square(tf.sub(mean, priorMean))),
    tf.exp(tf.neg(priorLogVar)),
  );
  return tf.mul(0.5, tf.sub(tf.add(tf.sub(priorLogVar, logVar), ratio), 1));
}

function checkTwoGaussians(
  caller: string,
  mean: tf.Tensor,
  logVar: tf.Tensor,
  priorMean: tf.Tensor,
  priorLogVar: tf.Tensor,
): void {
  checkPosterior(caller, mean, logVar);
  assertBroadcastsTo(caller, 'priorMean', priorMean, 'mean', mean);
  assertBroadcastsTo(caller, 'priorLogVar', priorLogVar, 'mean', mean);
}

/**
 * KL(q || p) between two diagonal Gaussians q = N(mean, exp(logVar)) and p = N(priorMean, exp(priorLogVar)), in
 * closed form: `1/2 sum_j [ logVarP_j - logVarQ_j + (exp(logVarQ_j) + (muQ_j - muP_j)^2) / exp(logVarP_j) - 1 ]`,
 * summed over latent dimensions (nats per example), then reduced over the batch (`mean` by default). The prior's
 * parameters may have the posterior's shape or broadcast to it (e.g. a learned prior of shape [latent]). With
 * priorMean = 0 and priorLogVar = 0 this is `klDivergenceStandardNormal`.
 */
export function klDivergenceDiagonalGaussian(
  mean: tf.Tensor,
  logVar: tf.Tensor,
  priorMean: tf.Tensor,
  priorLogVar: tf.Tensor,
  options: DivergenceOptions = {},
): tf.Tensor {
  const caller = 'klDivergenceDiagonalGaussian';
  checkTwoGaussians(caller, mean, logVar, priorMean, priorLogVar);
  return tf.tidy(() => {
    const perDimension = flattenRows(diagonalElementwise(mean, logVar, priorMean, priorLogVar));
    return reduceBatch(tf.sum(perDimension, 1), options.reduction ?? 'mean', caller);
  });
}

/**
 * `klDivergenceDiagonalGaussian` for every latent dimension separately (nats): 'none' keeps the shape of `mean`,
 * 'mean' (default) or 'sum' reduce over the batch axis only.
 */
export function klDivergenceDiagonalGaussianPerDimension(
  mean: tf.Tensor,
  logVar: tf.Tensor,
  priorMean: tf.Tensor,
  priorLogVar: tf.Tensor,
  options: DivergenceOptions = {},
): tf.Tensor {
  const caller = 'klDivergenceDiagonalGaussianPerDimension';
  checkTwoGaussians(caller, mean, logVar, priorMean, priorLogVar);
  return tf.tidy(() =>
    reducePerDimension(
      diagonalElementwise(mean, logVar, priorMean, priorLogVar),
      options.reduction ?? 'mean',
      caller,
    ),
  );
}
