/**
 * beta-TCVAE of Chen et al., "Isolating Sources of Disentanglement in Variational Autoencoders" (NeurIPS 2018): the
 * KL term of the ELBO is E[log q(z|x) - log p(z)] = I(x; z) + TC(z) + sum_d KL(q(z_d) || p(z_d)), the index-code
 * mutual information, the total correlation and the dimension-wise KL, and the objective weights them alpha, beta
 * and gamma. The aggregate posterior q(z) is estimated on the minibatch (core's `klDecomposition`: Chen et al.'s
 * minibatch-weighted sampling, or stratified sampling). As in disentanglement_lib, the objective is written as the
 * VAE's closed-form KL plus (alpha - 1) I + (beta - 1) TC + (gamma - 1) dimension-wise KL: Chen et al.'s objective
 * with the Monte Carlo estimate of the KL replaced by its closed form, equal in expectation; with the defaults
 * (alpha = gamma = 1) it is the ELBO with (beta - 1) TC added.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type KlDecomposition, type KlSchedule, klDecomposition, reparameterize } from '@vae/core';
import {
  type BatchPosterior,
  datasetSizeFor,
  type ExtraTerms,
  RegularizedVAE,
} from '../base/regularized-vae';
import type { ObjectiveContext } from '../training/trainable';
import type { CustomNetworks } from '../vae/vae.model';
import { type BetaTCVAEConfig, resolveBetaTCVAEConfig } from './beta-tcvae.config';

export class BetaTCVAE extends RegularizedVAE {
  static override readonly className: string = 'BetaTCVAE';
  declare readonly config: BetaTCVAEConfig;

  static override resolveConfig(config: Partial<BetaTCVAEConfig>): BetaTCVAEConfig {
    return resolveBetaTCVAEConfig(config);
  }

  constructor(config: Partial<BetaTCVAEConfig> = {}, networks: CustomNetworks = {}) {
    super(config, networks);
  }

  /** The closed-form KL keeps weight 1 (a KL schedule passed to `fit` replaces it); beta weights the TC. */
  protected override defaultKlWeight(): number | KlSchedule {
    return 1;
  }

  override dataParallelObstacle(): string | null {
    return "its total-correlation estimate weighs every code against the whole batch's posteriors, which shards cannot split";
  }

  protected extraTerms(posterior: BatchPosterior, _context: ObjectiveContext): ExtraTerms {
    const { alpha, beta, gamma, estimator } = this.config;
    const { z, mean, logVar } = posterior;
    const datasetSize = datasetSizeFor(this.config, this.trainingSize, z.shape[0]);
    const parts = klDecomposition(z, mean, logVar, { datasetSize, estimator });
    return {
      weightedKl: tf.addN([
        tf.mul(alpha - 1, parts.mutualInformation),
        tf.mul(beta - 1, parts.totalCorrelation),
        tf.mul(gamma - 1, parts.dimensionWiseKl),
      ]) as tf.Scalar,
    };
  }

  /**
   * The three parts of the KL term on a batch (nats per example, minibatch estimates with the model's estimator
   * and N): index-code mutual information, total correlation, dimension-wise KL. The caller disposes them.
   */
  klParts(x: tf.Tensor, options: { seed?: number } = {}): KlDecomposition {
    return tf.tidy(() => {
      const rows = this.flatten(x);
      const { mean, logVar } = this.encodeRows(rows, undefined, false);
      const z = reparameterize(mean, logVar, { seed: options.seed });
      const datasetSize = datasetSizeFor(this.config, this.trainingSize, rows.shape[0]);
      return { ...klDecomposition(z, mean, logVar, { datasetSize, estimator: this.config.estimator }) };
    });
  }
}
