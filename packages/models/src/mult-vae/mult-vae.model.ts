/**
 * Mult-VAE: Liang, Krishnan, Hoffman and Jebara, "Variational Autoencoders for Collaborative Filtering", WWW 2018.
 *
 * A VAE of user click rows with a multinomial likelihood: q(z|x) = N(mu(x), diag(sigma^2(x))) from the normalized,
 * dropped-out clicks; pi(z) = softmax(f(z)); the objective per user is
 * `-sum_i x_i log pi_i(z) + beta KL(q(z|x) || N(0, I))` with z drawn by reparameterization and beta annealed from 0
 * to a cap (the paper's 0.2) by a core schedule. Items are ranked for a user by the logits at z = mu(x).
 */
import * as tf from '@tensorflow/tfjs-core';
import { type KlSchedule, klDivergenceStandardNormal, klPenalty, reparameterize } from '@vae/core';
import type { ObjectiveContext } from '../training/trainable';
import { type MultVAEConfig, resolveMultVAEConfig } from './mult-vae.config';
import { MultinomialAutoencoder, type RowTerms } from './multinomial-autoencoder';

export class MultVAE extends MultinomialAutoencoder<MultVAEConfig> {
  static readonly className = 'MultVAE';

  /** The config with defaults filled in, checked (loading checks a saved config with it before building). */
  static resolveConfig(config: Partial<MultVAEConfig> & { items: number }): MultVAEConfig {
    return resolveMultVAEConfig(config);
  }
  readonly className = MultVAE.className;

  constructor(config: Partial<MultVAEConfig> & { items: number }) {
    const resolved = resolveMultVAEConfig(config);
    super(resolved, 2 * resolved.latentDim, 'linear');
  }

  /** The posterior's mean and log-variance for click rows [batch, items] (no dropout). */
  posterior(clicks: tf.Tensor): { mean: tf.Tensor2D; logVar: tf.Tensor2D } {
    return tf.tidy(() => this.split(this.encoderOutput(this.clicksOf(clicks, 'posterior'), false)));
  }

  private split(out: tf.Tensor2D): { mean: tf.Tensor2D; logVar: tf.Tensor2D } {
    const d = this.config.latentDim;
    return { mean: tf.slice(out, [0, 0], [-1, d]), logVar: tf.slice(out, [0, d], [-1, d]) };
  }

  protected rowTerms(clicks: tf.Tensor2D, training: boolean, seed?: number): RowTerms {
    const { mean, logVar } = this.split(this.encoderOutput(clicks, training, seed));
    const z = reparameterize(mean, logVar, {
      seed: seed === undefined ? undefined : seed + 1,
    }) as tf.Tensor2D;
    return {
      reconstruction: this.multinomialNll(clicks, this.decodeLogits(z)),
      kl: klDivergenceStandardNormal(mean, logVar, { reduction: 'none' }) as tf.Tensor1D,
    };
  }

  /** Under a capacity schedule each shard would penalize its own mean KL (|KL - C| is not linear). */
  dataParallelObstacle(klSchedule?: KlSchedule): string | null {
    return (klSchedule ?? this.config.klSchedule).kind === 'capacity'
      ? "a capacity schedule penalizes |mean KL - C| over the whole batch, which shards cannot split (use a 'constant', 'linear', 'cosine' or 'cyclical' klSchedule)"
      : null;
  }

  protected weightedKl(kl: tf.Tensor, context: ObjectiveContext): tf.Tensor {
    return klPenalty(kl, context.klSchedule ?? this.config.klSchedule, context.step ?? this.trainingStep);
  }

  protected codeOf(clicks: tf.Tensor2D): tf.Tensor2D {
    return this.split(this.encoderOutput(clicks, false)).mean;
  }
}
