/**
 * The sparse autoencoder of the lecture notes ("Sparse Autoencoders", Rao and Pai; "Regularized autoencoders",
 * Lan Xu) after Ng, "Sparse autoencoder" (CS294A lecture notes, 2011): a code unit is active near 1 and inactive
 * near 0, and the penalty Omega = sum_l KL(rho || rho_hat_l) keeps each unit's mean activation rho_hat_l over the
 * batch near a small rho; or, as Lan Xu's notes write it, L_R = L(x, g(f(x))) + lambda |h|_1. The penalties are
 * core's `sparsityPenalty` and `l1Penalty`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { l1Penalty, sparsityPenalty } from '@vae/core';
import { Autoencoder } from '../autoencoder/autoencoder.model';
import type { CustomNetworks } from '../vae/vae.model';
import { resolveSparseAutoencoderConfig, type SparseAutoencoderConfig } from './sparse-autoencoder.config';

export class SparseAutoencoder extends Autoencoder<SparseAutoencoderConfig> {
  static override readonly className: string = 'SparseAutoencoder';

  static override resolveConfig(config: Partial<SparseAutoencoderConfig>): SparseAutoencoderConfig {
    return resolveSparseAutoencoderConfig(config);
  }

  constructor(config: Partial<SparseAutoencoderConfig> = {}, networks: CustomNetworks = {}) {
    super(config, networks);
  }

  /** The KL sparsity penalty is taken on the batch's mean activation (the L1 one is a mean of rows' terms). */
  dataParallelObstacle(): string | null {
    return this.config.sparsity === 'kl'
      ? "its KL sparsity penalty is taken on the whole batch's mean activation, which shards cannot split (sparsity: 'l1' can be)"
      : null;
  }

  protected override regularizer(input: tf.Tensor2D, code: tf.Tensor2D): tf.Scalar {
    const { sparsity, rho, sparsityWeight } = this.config;
    const penalty = sparsity === 'kl' ? sparsityPenalty(code, rho) : (l1Penalty(code) as tf.Scalar);
    return tf.add(super.regularizer(input, code), tf.mul(sparsityWeight, penalty)) as tf.Scalar;
  }

  /** The mean activation rho_hat of each code unit over `x`, [latentDim]. */
  meanActivation(x: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => tf.mean(this.encode(x), 0) as tf.Tensor1D);
  }
}
