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
  /**
   * Why `fit` cannot split this model's batches between data-parallel replicas (`workers`) with these settings, or
   * null when it can. Splitting is exact only for an objective that is a mean of per-row terms: a batch statistic
   * feeding a nonlinearity (MMD between the batch's codes, the covariance of its posterior means, its mean
   * activation, a capacity penalty on its mean KL) or state the objective changes itself (an EMA codebook) would
   * train another model. `klSchedule` is `fit`'s. `fit` refuses `workers` with the reason. Absent: always.
   */
  dataParallelObstacle?(klSchedule?: KlSchedule): string | null;
  /**
   * What `prepareTraining` learned from the data beyond `config` and `variables` that the objective reads (e.g. the
   * training set's size), JSON-safe: data-parallel replicas are rebuilt from the config and variables and then get
   * it through `restoreReplicaState`. Absent: nothing.
   */
  replicaState?(): unknown;
  /** Takes `replicaState()`'s value on a replica (checks it; it crossed a thread). */
  restoreReplicaState?(state: unknown): void;
  /**
   * A second objective with its own optimizer, which `fit` steps after every step of the main one (e.g. FactorVAE's
   * discriminator). Its variables are left out of the main optimizer; its optimizer's state goes into checkpoints.
   */
  readonly auxiliaryObjective?: AuxiliaryObjective;
}

/**
 * A second objective trained alongside the model's own, on the same batch and seed, by an optimizer of its own:
 * how adversarial parts (FactorVAE's total-correlation discriminator, Kim and Mnih 2018) train inside the one `fit`
 * loop, with checkpoints, resuming and cancellation as for any model.
 */
export interface AuxiliaryObjective {
  /** What it trains, for messages, e.g. 'the discriminator'. */
  readonly name: string;
  /** Keys of the model's `variables` that this objective trains (and the main optimizer leaves alone). */
  readonly variableNames: readonly string[];
  /** The loss it minimizes for one batch, a scalar (called inside `tf.variableGrads`). */
  loss(x: tf.Tensor, context: ObjectiveContext): tf.Scalar;
  /** A fresh optimizer for it (Adam with the paper's settings, say); `fit` disposes it. */
  createOptimizer(): tf.Optimizer;
}

/** The variables of an auxiliary objective, by name (none without one); throws naming a missing one. */
export function auxiliaryVariables(
  model: Pick<TrainableModel, 'className' | 'variables' | 'auxiliaryObjective'>,
): Record<string, tf.Variable> {
  const out: Record<string, tf.Variable> = {};
  for (const name of model.auxiliaryObjective?.variableNames ?? []) {
    const variable = model.variables[name];
    if (!variable) {
      throw new Error(
        `${model.className}: the auxiliary objective names a variable '${name}' the model lacks.`,
      );
    }
    out[name] = variable;
  }
  return out;
}

/** The variables the main optimizer trains: the trainable ones an auxiliary objective does not claim. */
export function mainVariables(
  model: Pick<TrainableModel, 'className' | 'variables' | 'auxiliaryObjective'>,
): Record<string, tf.Variable> {
  const claimed = new Set(model.auxiliaryObjective?.variableNames ?? []);
  const out: Record<string, tf.Variable> = {};
  for (const [name, variable] of Object.entries(model.variables)) {
    if (variable.trainable && !claimed.has(name)) out[name] = variable;
  }
  return out;
}
