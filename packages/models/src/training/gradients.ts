/**
 * One batch's gradients: the single place where training differentiates a model's objective, used by `fit`'s loop
 * on the main thread and by the replicas of data-parallel training in workers.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { ObjectiveContext, TrainableModel } from './trainable';

/**
 * Call inside `tf.tidy`: the gradients of `model`'s objective on `x` with respect to `variables`, and the batch's loss
 * terms stacked as [reconstruction, kl, weightedKl, regularizer, total] (nats per example). With `scale`, the
 * gradients are those of `scale` times the objective (a data-parallel shard's share of the batch mean: the scalar
 * seed of the backward pass, instead of a pass over every gradient afterwards); the terms are not scaled.
 */
export function objectiveGradients(
  model: TrainableModel,
  variables: tf.Variable[],
  x: tf.Tensor,
  context: ObjectiveContext,
  scale = 1,
): { terms: tf.Tensor1D; grads: tf.NamedTensorMap } {
  let stacked: tf.Tensor1D | undefined;
  const { value, grads } = tf.variableGrads(() => {
    const loss = model.trainingLoss(x, context);
    const t = loss.terms;
    stacked = tf.keep(
      tf.stack([t.reconstruction, t.kl, t.weightedKl, t.regularizer, loss.total]) as tf.Tensor1D,
    );
    return scale === 1 ? loss.total : (tf.mul(loss.total, scale) as tf.Scalar);
  }, variables);
  value.dispose();
  return { terms: stacked as tf.Tensor1D, grads };
}
