/**
 * The linear autoencoder of the lecture notes ("Autoencoders and PCA", Rao and Pai): with a linear encoder, a linear
 * decoder, the squared-error loss and inputs normalized as x_hat_ij = (x_ij - mean_j) / sqrt(m), the encoder spans the
 * same subspace as PCA's leading components (Baldi and Hornik, "Neural networks and principal component analysis",
 * Neural Networks 1989; Bourlard and Kamp 1988). The mean is computed from the training data when `fit` starts and
 * kept as a non-trainable weight; the 1/sqrt(m) scaling is the averaging of the loss over the m examples.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type BatchSource, batchRanges, range, uniqueVariableName, yieldToEventLoop } from '@vae/core';
import { Autoencoder } from '../autoencoder/autoencoder.model';
import { type LinearAutoencoderConfig, resolveLinearAutoencoderConfig } from './linear-autoencoder.config';

export class LinearAutoencoder extends Autoencoder<LinearAutoencoderConfig> {
  static override readonly className: string = 'LinearAutoencoder';
  /** The training data's mean per input value (non-trainable; zeros until `fit` or when not centring). */
  readonly dataMean: tf.Variable;

  static override resolveConfig(config: Partial<LinearAutoencoderConfig>): LinearAutoencoderConfig {
    return resolveLinearAutoencoderConfig(config);
  }

  constructor(config: Partial<LinearAutoencoderConfig> = {}) {
    super(config);
    // tf.variable copies its initial value: the zeros are made and released inside a tidy.
    this.dataMean = tf.tidy(() =>
      tf.variable(tf.zeros([this.inputSize]), false, uniqueVariableName('preprocess/mean')),
    );
  }

  override get variables(): Record<string, tf.Variable> {
    return { ...super.variables, 'preprocess/mean': this.dataMean };
  }

  protected override encodeRows(rows: tf.Tensor2D, dataInput: boolean): tf.Tensor2D {
    return super.encodeRows(tf.sub(rows, this.dataMean) as tf.Tensor2D, dataInput);
  }

  protected override decodeRaw(z: tf.Tensor2D): tf.Tensor2D {
    return tf.add(super.decodeRaw(z), this.dataMean) as tf.Tensor2D;
  }

  /** Computes the mean of the training data (when centring). */
  override async prepareTraining(data: BatchSource): Promise<void> {
    if (!this.config.center) return;
    let sum = tf.zeros([this.inputSize]);
    for (const [start, end] of batchRanges(data.size, 1000)) {
      const next = tf.tidy(() => tf.add(sum, tf.sum(this.flatten(data.batch(range(start, end))), 0)));
      sum.dispose();
      sum = next;
      await yieldToEventLoop();
    }
    tf.tidy(() => this.dataMean.assign(tf.div(sum, data.size)));
    sum.dispose();
  }

  /**
   * The decoder's basis: the columns of the decoder map, [inputSize, latentDim]. Its column space is the learned
   * principal subspace.
   */
  decoderBasis(): tf.Tensor2D {
    return tf.tidy(() => tf.transpose(this.variables['decoder/output/kernel']) as tf.Tensor2D);
  }
}
