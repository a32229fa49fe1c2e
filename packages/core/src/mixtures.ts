/** Log-densities of mixtures of diagonal Gaussians on tensors, differentiable: the mixture and VampPrior priors. */
import * as tf from '@tensorflow/tfjs-core';
import { gaussianLogDensity } from './distributions';
import { logSumExp } from './log-space';

export interface DiagonalMixture {
  /** Component means, [components, dimension]. */
  means: tf.Tensor2D;
  /** Component log-variances, [components, dimension]. */
  logVars: tf.Tensor2D;
  /** Normalized log mixture weights, [components] (e.g. `tf.logSoftmax(logits)`); default uniform, -log K. */
  logWeights?: tf.Tensor1D;
}

/**
 * log p(z) = log sum_k w_k N(z; mu_k, diag(exp(logVar_k))) for each row of z [batch, dimension], [batch] (nats),
 * computed stably in log space (core's `logSumExp`). With uniform weights and the means and log-variances of
 * q(z|u_k) for pseudo-inputs u_k, it is the VampPrior of Tomczak and Welling; with learned weights, means and
 * log-variances, a mixture-of-Gaussians prior. Holds batch x components x dimension values at once.
 */
export function mixtureLogDensity(z: tf.Tensor, mixture: DiagonalMixture): tf.Tensor1D {
  const caller = 'mixtureLogDensity';
  const { means, logVars, logWeights } = mixture;
  if (z.rank !== 2) throw new Error(`${caller}: z must have shape [batch, dimension], got [${z.shape}].`);
  if (means.rank !== 2 || means.shape[1] !== z.shape[1] || !tf.util.arraysEqual(means.shape, logVars.shape)) {
    throw new Error(
      `${caller}: means and logVars must both have shape [components, ${z.shape[1]}], got [${means.shape}] and ` +
        `[${logVars.shape}].`,
    );
  }
  const components = means.shape[0];
  if (logWeights && (logWeights.rank !== 1 || logWeights.shape[0] !== components)) {
    throw new Error(`${caller}: logWeights must have shape [${components}], got [${logWeights.shape}].`);
  }
  return tf.tidy(() => {
    // [batch, components, d] against [components, d]: per-component log-densities [batch, components].
    const tiled = tf.tile(tf.expandDims(z, 1), [1, components, 1]);
    const perComponent = gaussianLogDensity(tiled, means, logVars, { eventRank: 1 });
    const weighted = logWeights
      ? tf.add(perComponent, logWeights)
      : tf.sub(perComponent, Math.log(components));
    return logSumExp(weighted, 1) as tf.Tensor1D;
  });
}
