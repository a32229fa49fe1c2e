/**
 * DIP-VAE of Kumar et al., "Variational Inference of Disentangled Latent Concepts from Unlabeled Observations"
 * (ICLR 2018): the ELBO plus a penalty that pulls the covariance of the aggregate posterior towards the prior's
 * identity, `lambda_od sum_{i != j} C_ij^2 + lambda_d sum_i (C_ii - 1)^2` (core's `dipCovariancePenalty`). DIP-VAE-I
 * takes C = Cov[mu(x)] over the batch; DIP-VAE-II C = Cov[mu(x)] + E[diag(sigma^2(x))], the covariance of q(z).
 */
import { dipCovariancePenalty } from '@vae/core';
import { type BatchPosterior, type ExtraTerms, RegularizedVAE } from '../base/regularized-vae';
import type { ObjectiveContext } from '../training/trainable';
import type { CustomNetworks } from '../vae/vae.model';
import { type DipVAEConfig, dipLambdaDiagonal, resolveDipVAEConfig } from './dip-vae.config';

export class DipVAE extends RegularizedVAE {
  static override readonly className: string = 'DipVAE';
  declare readonly config: DipVAEConfig;

  static override resolveConfig(config: Partial<DipVAEConfig>): DipVAEConfig {
    return resolveDipVAEConfig(config);
  }

  constructor(config: Partial<DipVAEConfig> = {}, networks: CustomNetworks = {}) {
    super(config, networks);
  }

  override dataParallelObstacle(): string | null {
    return "its penalty is the covariance of the whole batch's posterior means, which shards cannot split";
  }

  protected extraTerms(posterior: BatchPosterior, _context: ObjectiveContext): ExtraTerms {
    return {
      regularizer: dipCovariancePenalty(posterior.mean, posterior.logVar, {
        type: this.config.dipType,
        lambdaOffDiagonal: this.config.lambdaOffDiagonal,
        lambdaDiagonal: dipLambdaDiagonal(this.config),
      }),
    };
  }
}
