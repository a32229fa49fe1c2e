/**
 * Losses on partly observed targets (rating rows, inpainting): only the entries a mask marks as observed count, so
 * a missing rating stored as 0 never pulls a prediction towards 0. Written once for every model (AutoRec, masked
 * autoencoders); the observed-count helper turns a sum into the per-rating mean that RMSE reports.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ReductionOptions } from './losses';
import { assertBatched, assertSameShape, reduceBatch, sumAxes } from './validation';

function checkMasked(caller: string, targets: tf.Tensor, predictions: tf.Tensor, mask: tf.Tensor): void {
  assertBatched(caller, 'targets', targets);
  assertSameShape(caller, 'targets', targets, 'predictions', predictions);
  assertSameShape(caller, 'targets', targets, 'mask', mask);
}

/**
 * `sum_j mask_j (prediction_j - target_j)^2` per example (the sum over all axes but the first), reduced over the batch
 * ('mean' by default, 'sum', or 'none' for shape [batch]). `mask` is 1 where the target is observed and 0 elsewhere
 * (any weights in [0, 1] work); unobserved entries give no loss and no gradient, whatever value they hold. This is
 * AutoRec's `||r - h(r)||^2_O` (Sedhain et al., 2015).
 */
export function maskedSquaredError(
  targets: tf.Tensor,
  predictions: tf.Tensor,
  mask: tf.Tensor,
  options: ReductionOptions = {},
): tf.Tensor {
  checkMasked('maskedSquaredError', targets, predictions, mask);
  return tf.tidy(() => {
    const elementwise = tf.mul(tf.squaredDifference(predictions, targets), mask);
    const axes = Array.from({ length: elementwise.rank - 1 }, (_, i) => i + 1);
    return reduceBatch(sumAxes(elementwise, axes), options.reduction ?? 'mean', 'maskedSquaredError');
  });
}

/**
 * The mean squared error over observed entries only: `sum(mask (p - t)^2) / max(1, sum(mask))`, a scalar over the
 * whole batch (its square root is the RMSE of the observed ratings). A batch with nothing observed gives 0.
 */
export function maskedMeanSquaredError(
  targets: tf.Tensor,
  predictions: tf.Tensor,
  mask: tf.Tensor,
): tf.Scalar {
  checkMasked('maskedMeanSquaredError', targets, predictions, mask);
  return tf.tidy(() =>
    tf.div(tf.sum(tf.mul(tf.squaredDifference(predictions, targets), mask)), tf.maximum(tf.sum(mask), 1)),
  ) as tf.Scalar;
}
