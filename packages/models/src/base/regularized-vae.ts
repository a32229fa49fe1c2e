/**
 * What the disentangling VAEs share: the VAE's networks, reconstruction term and closed-form KL, plus terms that
 * act on the batch's posterior as a whole (total correlation, covariance of the codes, MMD to the prior). A
 * subclass says what it adds given the batch's posterior means, log-variances and one sample z of each; the maths
 * lives in @vae/core.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BatchSource, type KlSchedule, lossTerms, reparameterize } from '@vae/core';
import type { LossTermScalars, ObjectiveContext } from '../training/trainable';
import type { VAEConfig } from '../vae/vae.config';
import { VAE } from '../vae/vae.model';

/** The batch's posterior, as a subclass's extra terms see it. */
export interface BatchPosterior {
  /** The examples as flat rows, [M, inputSize]. */
  rows: tf.Tensor2D;
  mean: tf.Tensor2D;
  logVar: tf.Tensor2D;
  /** One draw z_i ~ q(z|x_i) per row, [M, latentDim]: the reconstruction term's draw (samples = 1). */
  z: tf.Tensor2D;
}

/** Scalars a subclass adds to the objective (nats per example). */
export interface ExtraTerms {
  /** Added to the weighted KL term (e.g. beta-TCVAE's reweighting of the KL's parts). */
  weightedKl?: tf.Scalar;
  /** The regularizer term (e.g. DIP's covariance penalty, FactorVAE's gamma TC). */
  regularizer?: tf.Scalar;
}

export abstract class RegularizedVAE extends VAE {
  /** Examples the last `fit` trained on (the N of minibatch estimators), unless the config fixes it. */
  protected trainingSize: number | undefined;

  /** The terms this model adds for a batch (called inside `tf.tidy`). */
  protected abstract extraTerms(posterior: BatchPosterior, context: ObjectiveContext): ExtraTerms;

  override async prepareTraining(data: BatchSource): Promise<void> {
    await super.prepareTraining(data);
    this.trainingSize = data.size;
  }

  /**
   * The objective: the VAE's (mean reconstruction + the weighted closed-form KL) plus `extraTerms`. The draw z of
   * the posterior is the reconstruction term's own (the same seed).
   */
  override trainingLoss(
    x: tf.Tensor,
    context: ObjectiveContext & {
      /** @deprecated Pass `klSchedule: { kind: 'constant', value: beta }`; read as exactly that. */
      beta?: number;
    } = {},
  ): { total: tf.Scalar; terms: LossTermScalars } {
    return tf.tidy(() => {
      const rows = this.flatten(x);
      const { reconstruction, kl, mean, logVar } = this.rowTerms(
        rows,
        context.seed,
        context.labels,
        context.training ?? false,
      );
      const z = reparameterize(mean, logVar, { seed: context.seed }) as tf.Tensor2D;
      const override: KlSchedule | undefined =
        context.klSchedule ??
        (context.beta === undefined ? undefined : { kind: 'constant', value: context.beta });
      const base = lossTerms(
        { reconstruction, kl },
        { klWeight: this.klScheduleFor(override), step: context.step ?? this.trainingStep },
      );
      const extra = this.extraTerms({ rows, mean, logVar, z }, context);
      const weightedKl = (
        extra.weightedKl ? tf.add(base.weightedKl, extra.weightedKl) : base.weightedKl
      ) as tf.Scalar;
      const regularizer = extra.regularizer ?? tf.scalar(0);
      return {
        total: tf.add(tf.add(base.reconstruction, weightedKl), regularizer) as tf.Scalar,
        terms: {
          reconstruction: base.reconstruction as tf.Scalar,
          kl: base.kl as tf.Scalar,
          weightedKl,
          regularizer,
        },
      };
    });
  }
}

/** The N of a minibatch estimator: the config's, else the last training set's, else the batch itself. */
export function datasetSizeFor(
  config: { datasetSize?: number },
  trained: number | undefined,
  batch: number,
): number {
  return Math.max(config.datasetSize ?? trained ?? batch, batch);
}

export type { VAEConfig };
