/**
 * The contractive autoencoder of the lecture notes ("Contractive Autoencoders", Rao and Pai) after Rifai, Vincent,
 * Muller, Glorot and Bengio, "Contractive auto-encoders: explicit invariance during feature extraction" (ICML 2011):
 * the loss adds Omega = |J_x(h)|_F^2 = sum_j sum_l (dh_l / dx_j)^2, which makes the code insensitive to small
 * changes of the input, so that it keeps only the variations the reconstruction needs. For the notes' one-layer
 * encoder h = g(x W + b) the penalty is core's closed form `denseContractivePenalty` (exact first-order gradients).
 * Deeper encoders use core's `contractivePenalty` by automatic differentiation, which tfjs 4.22 differentiates
 * correctly only without sigmoid and tanh (the config enforces it).
 */
import * as tf from '@tensorflow/tfjs-core';
import { contractivePenalty, denseContractivePenalty } from '@vae/core';
import { Autoencoder } from '../autoencoder/autoencoder.model';
import {
  type ContractiveAutoencoderConfig,
  resolveContractiveAutoencoderConfig,
} from './contractive-autoencoder.config';

export class ContractiveAutoencoder extends Autoencoder<ContractiveAutoencoderConfig> {
  static override readonly className: string = 'ContractiveAutoencoder';

  static override resolveConfig(config: Partial<ContractiveAutoencoderConfig>): ContractiveAutoencoderConfig {
    return resolveContractiveAutoencoderConfig(config);
  }

  constructor(config: Partial<ContractiveAutoencoderConfig> = {}) {
    super(config);
  }

  /** |J_x(h)|_F^2 per example, [batch] (closed form for a one-layer encoder, automatic differentiation else). */
  jacobianNorm(x: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => {
      const rows = this.flatten(x);
      return this.penalty(rows, this.encodeRows(rows, false), 'none') as tf.Tensor1D;
    });
  }

  private penalty(rows: tf.Tensor2D, code: tf.Tensor2D, reduction: 'none' | 'mean'): tf.Tensor {
    const layers = this.encoder.denseLayers;
    if (this.config.network === 'mlp' && layers.length === 1) {
      return denseContractivePenalty(code, layers[0].kernel, {
        activation: this.config.codeActivation,
        reduction,
      });
    }
    return contractivePenalty((input) => this.encodeRows(input as tf.Tensor2D, false), rows, { reduction });
  }

  protected override regularizer(input: tf.Tensor2D, code: tf.Tensor2D): tf.Scalar {
    const penalty = this.penalty(input, code, 'mean');
    return tf.add(
      super.regularizer(input, code),
      tf.mul(this.config.contractiveWeight, penalty),
    ) as tf.Scalar;
  }
}
