/**
 * The denoising autoencoder of the lecture notes ("Denoising Autoencoders", Rao and Pai; Lan Xu) after Vincent,
 * Larochelle, Bengio and Manzagol, "Extracting and composing robust features with denoising autoencoders" (ICML
 * 2008): the input is corrupted by P(x_tilde | x) — masking noise, P(x_tilde_ij = 0) = q and P(x_tilde_ij = x_ij) =
 * 1 - q, or additive Gaussian noise — and the loss compares the reconstruction of x_tilde with the clean x, so the
 * model cannot learn to copy. The corruption is core's `maskingNoise` / `gaussianNoise`, seeded per step.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { gaussianNoise, maskingNoise, Random } from '@vae/core';
import { Autoencoder } from '../autoencoder/autoencoder.model';
import type { CustomNetworks } from '../vae/vae.model';
import {
  type DenoisingAutoencoderConfig,
  resolveDenoisingAutoencoderConfig,
} from './denoising-autoencoder.config';

export class DenoisingAutoencoder extends Autoencoder<DenoisingAutoencoderConfig> {
  static override readonly className: string = 'DenoisingAutoencoder';
  static override resolveConfig(config: Partial<DenoisingAutoencoderConfig>): DenoisingAutoencoderConfig {
    return resolveDenoisingAutoencoderConfig(config);
  }

  constructor(config: Partial<DenoisingAutoencoderConfig> = {}, networks: CustomNetworks = {}) {
    super(config, networks);
  }

  /** Corrupts a batch as in training (x_tilde ~ P(x_tilde | x)), shaped like x; `seed` makes it reproducible. */
  corruptInput(x: tf.Tensor, seed?: number): tf.Tensor {
    // The seed of the first draw of a stream started at `seed`, as the Layers API noise layers draw it.
    const draw = seed === undefined ? undefined : new Random(seed).nextSeed();
    return this.config.noise === 'masking'
      ? maskingNoise(x, this.config.noiseLevel, draw)
      : gaussianNoise(x, this.config.noiseLevel, draw);
  }

  protected override corrupt(rows: tf.Tensor2D, seed: number | undefined): tf.Tensor2D {
    return this.corruptInput(rows, seed) as tf.Tensor2D;
  }
}
