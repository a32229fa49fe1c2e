/**
 * The conditional VAE of Sohn, Lee and Yan, "Learning structured output representation using deep conditional
 * generative models" (NeurIPS 2015), in the form of Kingma, Rezende, Mohamed and Welling, "Semi-supervised learning
 * with deep generative models" (NeurIPS 2014, model M2 with observed labels): a one-hot label y is concatenated to
 * the encoder's input, q(z | x, y), and to the decoder's input, p(x | z, y), with the prior N(0, I); the objective is
 * the ELBO of the VAE. Decoding prior samples with a chosen label generates that class. Labels come from
 * `BatchSource.labels` in `fit`, `evaluate`, `embed` and `score`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Labels } from '../base/model';
import { type CustomNetworks, VAE } from '../vae/vae.model';
import { type ConditionalVAEConfig, resolveConditionalVAEConfig } from './conditional-vae.config';

export class ConditionalVAE extends VAE {
  static override readonly className: string = 'ConditionalVAE';
  declare readonly config: ConditionalVAEConfig;
  override readonly usesLabels: boolean = true;

  static override resolveConfig(config: Partial<ConditionalVAEConfig>): ConditionalVAEConfig {
    return resolveConditionalVAEConfig(config);
  }

  /**
   * `networks` may replace the encoder (takes [batch, inputSize + numClasses]: flat x, then the one-hot label) and
   * the decoder (takes [batch, latentDim + numClasses]).
   */
  constructor(config: Partial<ConditionalVAEConfig> = {}, networks: CustomNetworks = {}) {
    super(config, networks);
  }

  protected override conditionSize(): number {
    return this.config.numClasses;
  }

  protected override condition(labels: tf.Tensor1D | undefined, batch: number): tf.Tensor2D {
    if (!labels) {
      throw new Error(
        `${this.className}: pass the class labels (one integer in [0, ${this.config.numClasses}) per example); ` +
          'the encoder and decoder are conditioned on them.',
      );
    }
    if (labels.shape[0] !== batch) {
      throw new Error(
        `${this.className}: ${labels.shape[0]} labels for ${batch} examples; pass one per example.`,
      );
    }
    return tf.tidy(
      () => tf.cast(tf.oneHot(tf.cast(labels, 'int32'), this.config.numClasses), 'float32') as tf.Tensor2D,
    );
  }

  protected override labelTensor(labels: Labels | undefined, batch: number): tf.Tensor1D {
    if (labels === undefined) return this.condition(undefined, batch) as never;
    if (labels instanceof tf.Tensor) {
      if (labels.rank !== 1 || labels.shape[0] !== batch) {
        throw new Error(`${this.className}: labels must have shape [${batch}], got [${labels.shape}].`);
      }
      return labels.dtype === 'int32' ? (labels as tf.Tensor1D) : (tf.cast(labels, 'int32') as tf.Tensor1D);
    }
    const values = Array.from(labels);
    if (values.length !== batch) {
      throw new Error(
        `${this.className}: ${values.length} labels for ${batch} examples; pass one per example.`,
      );
    }
    const bad = values.find((v) => !Number.isInteger(v) || v < 0 || v >= this.config.numClasses);
    if (bad !== undefined) {
      throw new Error(`${this.className}: label ${bad} is not an integer in [0, ${this.config.numClasses}).`);
    }
    return tf.tensor1d(values, 'int32');
  }

  /**
   * Generates `count` examples of class `label`: prior samples decoded with that label.
   *
   * @deprecated Use `sample(count, { labels: label })` (the one name for drawing from a model); kept for one minor
   * version.
   */
  generate(label: number, count: number, options: { temperature?: number; seed?: number } = {}): tf.Tensor {
    return this.sample(count, { ...options, labels: label });
  }
}
