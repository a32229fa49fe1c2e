/**
 * The tied-weights autoencoder of the lecture notes ("Regularization in Autoencoders", Rao and Pai): the decoder
 * reuses the encoder's weights transposed, W* = W^T, which halves the parameters and acts as a regularizer
 * (Vincent et al., "Extracting and composing robust features with denoising autoencoders", ICML 2008, use the same
 * tying). Each decoder layer has its own bias. The forward and backward passes are core's `fusedDense` with a
 * transposed kernel (no matMul with transposes in the backward pass).
 */
import * as tf from '@tensorflow/tfjs-core';
import { fusedDense, uniqueVariableName } from '@vae/core';
import { Autoencoder, type CodeDecoder } from '../autoencoder/autoencoder.model';
import { resolveTiedAutoencoderConfig, type TiedAutoencoderConfig } from './tied-autoencoder.config';

export class TiedAutoencoder extends Autoencoder<TiedAutoencoderConfig> {
  static override readonly className: string = 'TiedAutoencoder';

  static override resolveConfig(config: Partial<TiedAutoencoderConfig>): TiedAutoencoderConfig {
    return resolveTiedAutoencoderConfig(config);
  }

  constructor(config: Partial<TiedAutoencoderConfig> = {}) {
    super(config);
  }

  protected override createDecoder(): CodeDecoder {
    // Decoder layer j uses encoder layer (n - 1 - j) transposed; the last one maps back to the input.
    const layers = [...this.encoder.denseLayers].reverse();
    const activation = this.config.decoderActivation ?? this.config.activation;
    const biases = layers.map((layer, j) => {
      const name = j === layers.length - 1 ? 'decoder/output/bias' : `decoder/hidden${j}/bias`;
      // tf.variable copies its initial value: the zeros are released by the tidy.
      const bias = tf.tidy(() => tf.variable(tf.zeros([layer.inputSize]), true, uniqueVariableName(name)));
      return { name, bias };
    });
    return {
      apply: (z) =>
        tf.tidy(() => {
          let h = z;
          layers.forEach((layer, j) => {
            h = fusedDense(h, layer.kernel, biases[j].bias, {
              activation: j === layers.length - 1 ? 'linear' : activation,
              transposeKernel: true,
            });
          });
          return [h];
        }),
      get variables() {
        return Object.fromEntries(biases.map(({ name, bias }) => [name, bias]));
      },
      untrainableOnWasm: () => [],
      dispose: () => {
        for (const { bias } of biases) bias.dispose();
      },
    };
  }
}
