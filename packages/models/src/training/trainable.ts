import type * as tf from '@tensorflow/tfjs-core';
import type { BatchSource, LossTerms } from '@vae/core';

/** What the training loop needs from a model. */
export interface TrainableModel {
  readonly className: string;
  readonly config: { beta: number };
  /** Every trainable variable, keyed by model-local name. */
  readonly variables: Record<string, tf.Variable>;
  /** The objective for one batch and its named terms (scalars, nats per example). */
  trainingLoss(
    x: tf.Tensor,
    options: { seed?: number; beta?: number },
  ): { total: tf.Scalar; terms: { reconstruction: tf.Scalar; kl: tf.Scalar } };
  evaluate(data: BatchSource, options?: { batchSize?: number; seed?: number }): Promise<LossTerms>;
}
