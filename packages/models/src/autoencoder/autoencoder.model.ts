/**
 * The autoencoder of the lecture notes ("From AE to VAE", Rao and Pai; "Deep Generative Models II: AE & VAE",
 * Lan Xu), after Rumelhart, Hinton and Williams (1986) and Hinton and Salakhutdinov, "Reducing the dimensionality of
 * data with neural networks" (Science 2006): an encoder h = g(W x + b) and a decoder x_hat = f(W* h + c), trained to
 * reproduce the input. Undercomplete (latentDim < input size) or overcomplete; dense or convolutional. For binary
 * data f is a sigmoid and the loss the cross-entropy; for real data f is linear and the loss the squared error
 * (SSD); an optional L2 weight penalty lambda |theta|^2 regularizes it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { binaryCrossEntropyWithLogits, l2Penalty, Random, type Reduction, squaredError } from '@vae/core';
import { BaseModel, type NetworkPart } from '../base/model';
import { DecoderNetwork, EncoderNetwork, type SeedSource } from '../networks/networks';
import type { LossTermScalars, ObjectiveContext } from '../training/trainable';
import { type CustomNetworks, withCustomNetworks } from '../vae/vae.model';
import { type AutoencoderConfig, resolveAutoencoderConfig } from './autoencoder.config';

/** A decoder: codes -> raw outputs (logits for binary data, values for real data), [batch, inputSize]. */
export interface CodeDecoder {
  apply(z: tf.Tensor2D): tf.Tensor2D[];
  readonly variables: Record<string, tf.Variable>;
  untrainableOnWasm(): string[];
  dispose(): void;
}

export class Autoencoder<C extends AutoencoderConfig = AutoencoderConfig> extends BaseModel<C> {
  static readonly className: string = 'Autoencoder';
  protected readonly encoder: EncoderNetwork;
  protected readonly decoder: CodeDecoder;

  /** Fills in this class's defaults and checks the config. Subclasses override it. */
  static resolveConfig(config: Partial<AutoencoderConfig>): AutoencoderConfig {
    return resolveAutoencoderConfig(config);
  }

  /**
   * `networks` may replace the encoder (x -> [batch, latentDim], its last activation included) and/or the decoder
   * (codes -> inputSize raw outputs per example: logits for binary data).
   */
  constructor(config: Partial<C> = {}, networks: CustomNetworks = {}) {
    const resolve = (new.target as unknown as typeof Autoencoder).resolveConfig;
    super(resolve(withCustomNetworks(config, networks)) as C);
    const random = this.config.seed === undefined ? undefined : new Random(this.config.seed);
    const seeds = () => random?.nextSeed();
    this.encoder = new EncoderNetwork({
      className: this.className,
      config: this.config,
      outputUnits: this.latentDim,
      outputName: 'code',
      outputActivation: this.config.codeActivation,
      model: networks.encoder,
      seeds,
    });
    try {
      this.decoder = this.createDecoder(seeds, networks);
    } catch (error) {
      this.encoder.dispose();
      throw error;
    }
  }

  /** Builds the decoder (the tied autoencoder overrides this). */
  protected createDecoder(seeds: SeedSource, networks: CustomNetworks): CodeDecoder {
    return new DecoderNetwork({
      className: this.className,
      config: this.config,
      heads: [{ name: 'output' }],
      model: networks.decoder,
      seeds,
    });
  }

  protected get networks(): NetworkPart[] {
    return [this.encoder, this.decoder];
  }

  get variables(): Record<string, tf.Variable> {
    return { ...this.encoder.variables, ...this.decoder.variables };
  }

  /** The code h of rows (the linear autoencoder centres them first). */
  protected encodeRows(rows: tf.Tensor2D, dataInput: boolean): tf.Tensor2D {
    return this.encoder.apply(rows, { dataInput });
  }

  /** The decoder's raw output for codes: logits (binary data) or values (real data), [batch, inputSize]. */
  protected decodeRaw(z: tf.Tensor2D): tf.Tensor2D {
    return this.decoder.apply(z)[0];
  }

  /** The code h = f(x) of each input, [batch, latentDim]. */
  encode(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.encodeRows(this.flatten(x), true));
  }

  protected codesOf(rows: tf.Tensor2D): tf.Tensor2D {
    return this.encodeRows(rows, true);
  }

  protected decodeRows(z: tf.Tensor2D): tf.Tensor2D {
    const raw = this.decodeRaw(z);
    return this.config.data === 'binary' ? (tf.sigmoid(raw) as tf.Tensor2D) : raw;
  }

  /** Cross-entropy (binary data) or squared error (real data) per example, summed over pixels, in core. */
  protected reconstructionLoss(targets: tf.Tensor2D, raw: tf.Tensor2D, reduction: Reduction): tf.Tensor {
    return this.config.data === 'binary'
      ? binaryCrossEntropyWithLogits(targets, raw, { reduction })
      : squaredError(targets, raw, { reduction });
  }

  protected scoreRows(rows: tf.Tensor2D): tf.Tensor1D {
    return this.reconstructionLoss(rows, this.decodeRaw(this.encodeRows(rows, false)), 'none') as tf.Tensor1D;
  }

  /** The input the encoder sees in the objective (the denoising autoencoder corrupts it). */
  protected corrupt(rows: tf.Tensor2D, _seed: number | undefined): tf.Tensor2D {
    return rows;
  }

  /** The regularizer Omega added to the reconstruction loss (weight decay here; subclasses add theirs). */
  protected regularizer(_input: tf.Tensor2D, _code: tf.Tensor2D): tf.Scalar {
    if (this.config.weightDecay === 0) return tf.scalar(0);
    const kernels = Object.entries(this.variables)
      .filter(([name, v]) => v.trainable && name.endsWith('/kernel'))
      .map(([, v]) => v);
    return tf.mul(this.config.weightDecay, l2Penalty(kernels)) as tf.Scalar;
  }

  /**
   * The objective for a batch: the mean reconstruction loss of the clean input from the (possibly corrupted)
   * input, plus the regularizer. `kl` and `weightedKl` are 0.
   */
  trainingLoss(x: tf.Tensor, context: ObjectiveContext = {}): { total: tf.Scalar; terms: LossTermScalars } {
    return tf.tidy(() => {
      const rows = this.flatten(x);
      const input = this.corrupt(rows, context.seed);
      const code = this.encodeRows(input, context.training ?? false);
      const reconstruction = this.reconstructionLoss(rows, this.decodeRaw(code), 'mean') as tf.Scalar;
      const regularizer = this.regularizer(input, code);
      const zero = tf.scalar(0);
      return {
        total: tf.add(reconstruction, regularizer) as tf.Scalar,
        terms: { reconstruction, kl: zero, weightedKl: zero, regularizer },
      };
    });
  }
}
