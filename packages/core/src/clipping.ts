/**
 * Gradient clipping by global norm (Pascanu et al. 2013, "On the difficulty of training recurrent neural
 * networks"): when the norm of all gradients together exceeds a threshold, every gradient is scaled by the same
 * factor so that the global norm equals it; directions are kept.
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertPositive } from './validation';

/** The global norm `sqrt(sum_k |g_k|^2)` of a set of gradients, a scalar. */
export function globalNorm(gradients: readonly tf.Tensor[] | tf.NamedTensorMap): tf.Scalar {
  const list = Array.isArray(gradients) ? gradients : Object.values(gradients);
  if (list.length === 0) throw new Error('globalNorm: gradients is empty; pass at least one tensor.');
  return tf.tidy(() => tf.sqrt(tf.addN(list.map((g) => tf.sum(tf.square(g))))) as tf.Scalar);
}

/**
 * Scales gradients by `min(1, maxNorm / globalNorm)`. Returns the clipped gradients under the same names and the
 * global norm before clipping (both new tensors the caller disposes). A non-finite norm passes through unchanged
 * in the norm, and makes the clipped gradients non-finite too, so a caller that checks the norm sees it.
 */
export function clipByGlobalNorm(
  gradients: tf.NamedTensorMap,
  maxNorm: number,
): { gradients: tf.NamedTensorMap; norm: tf.Scalar } {
  assertPositive('clipByGlobalNorm', 'maxNorm', maxNorm, 'It is the largest global gradient norm allowed.');
  return tf.tidy(() => {
    const norm = globalNorm(gradients);
    const scale = tf.div(maxNorm, tf.maximum(norm, maxNorm));
    const clipped: tf.NamedTensorMap = {};
    for (const [name, g] of Object.entries(gradients)) clipped[name] = tf.mul(g, scale);
    return { gradients: clipped, norm };
  });
}
