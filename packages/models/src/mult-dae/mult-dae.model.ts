/**
 * Mult-DAE: Liang, Krishnan, Hoffman and Jebara, "Variational Autoencoders for Collaborative Filtering", WWW 2018.
 *
 * The denoising counterpart of Mult-VAE: the same normalized, dropped-out click rows and multinomial likelihood, a
 * deterministic tanh code instead of a posterior (no KL), and L2 weight decay (the paper's code: 0.01).
 */
import * as tf from '@tensorflow/tfjs-core';
import { type MultDAEConfig, resolveMultDAEConfig } from '../mult-vae/mult-vae.config';
import { MultinomialAutoencoder, type RowTerms } from '../mult-vae/multinomial-autoencoder';

export class MultDAE extends MultinomialAutoencoder<MultDAEConfig> {
  static readonly className = 'MultDAE';

  /** The config with defaults filled in, checked (loading checks a saved config with it before building). */
  static resolveConfig(config: Partial<MultDAEConfig> & { items: number }): MultDAEConfig {
    return resolveMultDAEConfig(config);
  }
  readonly className = MultDAE.className;

  constructor(config: Partial<MultDAEConfig> & { items: number }) {
    const resolved = resolveMultDAEConfig(config);
    super(resolved, resolved.latentDim, 'tanh');
  }

  protected rowTerms(clicks: tf.Tensor2D, training: boolean, seed?: number): RowTerms {
    const code = this.encoderOutput(clicks, training, seed);
    return {
      reconstruction: this.multinomialNll(clicks, this.decodeLogits(code)),
      kl: tf.zeros([clicks.shape[0]]),
    };
  }

  protected weightedKl(kl: tf.Tensor): tf.Tensor {
    return tf.mul(kl, 0);
  }

  protected codeOf(clicks: tf.Tensor2D): tf.Tensor2D {
    return this.encoderOutput(clicks, false);
  }
}
