/**
 * What the disentangling VAEs share: the VAE's networks, reconstruction term and closed-form KL, plus terms that
 * act on the batch's posterior as a whole (total correlation, covariance of the codes, MMD to the prior). A
 * subclass says what it adds given the batch's posterior means, log-variances and one sample z of each; the maths
 * lives in @vae/core.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { type BatchSource, reparameterize } from '@vae/core';
import type { ObjectiveContext } from '../training/trainable';
import type { VAEConfig } from '../vae/vae.config';
import { type ExtraTerms, VAE } from '../vae/vae.model';

export type { ExtraTerms };

/** The batch's posterior, as a subclass's extra terms see it. */
export interface BatchPosterior {
  /** The examples as flat rows, [M, inputSize]. */
  rows: tf.Tensor2D;
  mean: tf.Tensor2D;
  logVar: tf.Tensor2D;
  /** One draw z_i ~ q(z|x_i) per row, [M, latentDim]: the reconstruction term's draw (samples = 1). */
  z: tf.Tensor2D;
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
   * The objective is the VAE's (`VAE.trainingLoss`: mean reconstruction + the weighted closed-form KL) plus
   * `extraTerms`, given one draw z of the posterior: the reconstruction term's own (the same seed).
   */
  protected override objectiveExtras(
    posterior: { rows: tf.Tensor2D; mean: tf.Tensor2D; logVar: tf.Tensor2D },
    context: ObjectiveContext,
  ): ExtraTerms {
    const z = reparameterize(posterior.mean, posterior.logVar, { seed: context.seed }) as tf.Tensor2D;
    return this.extraTerms({ ...posterior, z }, context);
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
