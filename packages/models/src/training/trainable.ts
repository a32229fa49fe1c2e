import type * as tf from '@tensorflow/tfjs-core';
import type { BatchSource, KlSchedule, LossTerms } from '@vae/core';

/** What a model's objective may depend on besides the batch. */
export interface ObjectiveContext {
  /** Seed of the step's random draws (reparameterization noise, input corruption). */
  seed?: number;
  /** Optimizer updates done so far (0-based), for KL schedules. */
  step?: number;
  /** Weight of the KL term over training; default: the model's own (beta, or its capacity schedule). */
  klSchedule?: KlSchedule;
  /** Integer class labels of the batch, [batch] int32 (conditional models). */
  labels?: tf.Tensor1D;
  /** True inside `fit` (the input needs no gradient; noise layers are active). */
  training?: boolean;
}

/** The named terms of one batch's objective, scalars in nats per example (see `LossTerms`). */
export interface LossTermScalars {
  reconstruction: tf.Scalar;
  kl: tf.Scalar;
  weightedKl: tf.Scalar;
  regularizer: tf.Scalar;
}

/** What the training loop needs from a model. */
export interface TrainableModel {
  readonly className: string;
  readonly config: object;
  /** Every variable, keyed by model-local name; the trainable ones are optimized. */
  readonly variables: Record<string, tf.Variable>;
  /** Optimizer updates of the last `fit` (read by `evaluate` for scheduled KL weights). */
  trainingStep: number;
  /** Whether batches need labels (`BatchSource.labels`). */
  readonly usesLabels: boolean;
  /** The objective for one batch, `total = reconstruction + weightedKl + regularizer`, and its terms. */
  trainingLoss(x: tf.Tensor, context?: ObjectiveContext): { total: tf.Scalar; terms: LossTermScalars };
  evaluate(
    data: BatchSource,
    options?: { batchSize?: number; seed?: number; step?: number; klSchedule?: KlSchedule },
  ): Promise<LossTerms>;
  /** Throws a clear error when the active backend cannot train this model. */
  assertTrainable(): void;
  /** Called once before training with the training data (e.g. to compute input statistics). */
  prepareTraining(data: BatchSource): Promise<void>;
}
