/**
 * The denoising autoencoder of the lecture notes ("Denoising Autoencoders", Rao and Pai; Lan Xu) after Vincent,
 * Larochelle, Bengio and Manzagol, "Extracting and composing robust features with denoising autoencoders" (ICML
 * 2008): the input is corrupted by P(x_tilde | x) — masking noise, P(x_tilde_ij = 0) = q and P(x_tilde_ij = x_ij) =
 * 1 - q, or additive Gaussian noise — and the loss compares the reconstruction of x_tilde with the clean x, so the
 * model cannot learn to copy. The corruption is core's `MaskingNoiseLayer` / `GaussianNoiseLayer`, seeded per step.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { GaussianNoiseLayer, MaskingNoiseLayer } from '@vae/core';
import { Autoencoder } from '../autoencoder/autoencoder.model';
import type { CustomNetworks } from '../vae/vae.model';
import {
  type DenoisingAutoencoderConfig,
  resolveDenoisingAutoencoderConfig,
} from './denoising-autoencoder.config';

export class DenoisingAutoencoder extends Autoencoder<DenoisingAutoencoderConfig> {
  static override readonly className: string = 'DenoisingAutoencoder';
  private noiseLayer: MaskingNoiseLayer | GaussianNoiseLayer | null = null;

  static override resolveConfig(config: Partial<DenoisingAutoencoderConfig>): DenoisingAutoencoderConfig {
    return resolveDenoisingAutoencoderConfig(config);
  }

  constructor(config: Partial<DenoisingAutoencoderConfig> = {}, networks: CustomNetworks = {}) {
    super(config, networks);
  }

  private get noise(): MaskingNoiseLayer | GaussianNoiseLayer {
    if (this.noiseLayer === null) {
      this.noiseLayer =
        this.config.noise === 'masking'
          ? new MaskingNoiseLayer({ rate: this.config.noiseLevel })
          : new GaussianNoiseLayer({ stddev: this.config.noiseLevel });
    }
    return this.noiseLayer;
  }

  /** Corrupts a batch as in training (x_tilde ~ P(x_tilde | x)), shaped like x; `seed` makes it reproducible. */
  corruptInput(x: tf.Tensor, seed?: number): tf.Tensor {
    this.noise.reseed(seed);
    return this.noise.apply(x, { training: true }) as tf.Tensor;
  }

  protected override corrupt(rows: tf.Tensor2D, seed: number | undefined): tf.Tensor2D {
    return this.corruptInput(rows, seed) as tf.Tensor2D;
  }
}
