/**
 * InfoVAE of Zhao et al., "InfoVAE: Balancing Learning and Inference in Variational Autoencoders" (AAAI 2019), with
 * the MMD divergence: reconstruction + (1 - alpha) KL(q(z|x) || p(z)) + (alpha + lambda - 1) MMD(q(z), p(z)), the MMD
 * between the batch's draws of z and as many draws of the prior N(0, I) (core's `maximumMeanDiscrepancy`, unbiased,
 * RBF or inverse multiquadric kernel). With alpha = 1 (the default) the per-example KL is gone and the model is the
 * Wasserstein autoencoder of Tolstikhin et al., "Wasserstein Auto-Encoders" (ICLR 2018), WAE-MMD, with a Gaussian
 * encoder. The reported `kl` stays the closed-form KL (a diagnostic; weighted 1 - alpha).
 */
import * as tf from '@tensorflow/tfjs-core';
import { type KlSchedule, maximumMeanDiscrepancy, Random } from '@vae/core';
import { type BatchPosterior, type ExtraTerms, RegularizedVAE } from '../base/regularized-vae';
import type { ObjectiveContext } from '../training/trainable';
import type { CustomNetworks } from '../vae/vae.model';
import { type InfoVAEConfig, resolveInfoVAEConfig } from './info-vae.config';

export class InfoVAE extends RegularizedVAE {
  static override readonly className: string = 'InfoVAE';
  declare readonly config: InfoVAEConfig;

  static override resolveConfig(config: Partial<InfoVAEConfig>): InfoVAEConfig {
    return resolveInfoVAEConfig(config);
  }

  constructor(config: Partial<InfoVAEConfig> = {}, networks: CustomNetworks = {}) {
    super(config, networks);
  }

  /** The KL term's weight, 1 - alpha (a KL schedule passed to `fit` replaces it). */
  protected override defaultKlWeight(): number | KlSchedule {
    return 1 - this.config.alpha;
  }

  override dataParallelObstacle(): string | null {
    return "its MMD term compares the whole batch's codes with prior draws, which shards cannot split";
  }

  protected extraTerms(posterior: BatchPosterior, context: ObjectiveContext): ExtraTerms {
    const { alpha, lambda } = this.config;
    return {
      regularizer: tf.mul(alpha + lambda - 1, this.mmdToPrior(posterior.z, context.seed)) as tf.Scalar,
    };
  }

  /** MMD^2 between codes z [batch, latentDim] and as many draws of the prior (seeded), with the model's kernel. */
  mmdToPrior(z: tf.Tensor, seed?: number): tf.Scalar {
    this.checkCodes(z);
    return tf.tidy(() => {
      const priorSeed = seed === undefined ? undefined : new Random(seed).nextSeed();
      const prior = tf.randomNormal(z.shape, 0, 1, 'float32', priorSeed);
      return maximumMeanDiscrepancy(z, prior, {
        kernel: this.config.kernel,
        bandwidth: this.config.bandwidth,
        scales: this.config.kernelScales,
      });
    });
  }
}
