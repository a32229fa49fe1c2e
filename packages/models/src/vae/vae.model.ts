/**
 * The variational autoencoder of Kingma and Welling, "Auto-Encoding Variational Bayes" (ICLR 2014), with the
 * multilayer-perceptron encoder and decoder of the PyTorch VAE example: a Gaussian posterior
 * q(z|x) = N(mu(x), diag(exp(logVar(x)))), the reparameterization trick, the closed-form KL to N(0, I), and a
 * Bernoulli decoder whose log-likelihood is the binary cross-entropy computed stably from logits.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  type BatchSource,
  binaryCrossEntropyWithLogits,
  Dense,
  type ElboTerms,
  klDivergenceStandardNormal,
  type LossTerms,
  meanOverBatches,
  type ProbabilisticAutoencoder,
  Random,
  reparameterize,
} from '@vae/core';
import { type FitOptions, type History, train } from '../training/fit';
import type { TrainableModel } from '../training/trainable';
import { resolveVAEConfig, type VAEConfig } from './vae.config';

export class VAE implements ProbabilisticAutoencoder, TrainableModel {
  static readonly className = 'VAE';
  readonly className = VAE.className;
  readonly config: VAEConfig;
  readonly inputSize: number;
  readonly latentDim: number;
  private readonly encoderLayers: Dense[];
  private readonly posterior: Dense;
  private readonly decoderLayers: Dense[];
  private readonly output: Dense;
  private disposed = false;

  constructor(config: Partial<VAEConfig> = {}) {
    this.config = resolveVAEConfig(config);
    const { inputShape, hiddenUnits, latentDim, activation, seed } = this.config;
    this.inputSize = inputShape.reduce((a, b) => a * b, 1);
    this.latentDim = latentDim;
    const random = seed === undefined ? undefined : new Random(seed);
    const layerSeed = () => random?.nextSeed();
    let size = this.inputSize;
    this.encoderLayers = hiddenUnits.map((units, i) => {
      const layer = new Dense(size, units, { activation, seed: layerSeed(), name: `encoder/hidden${i}` });
      size = units;
      return layer;
    });
    // One layer predicts [mu, logVar] side by side: the same parameters as two heads, one matMul instead of two.
    this.posterior = new Dense(size, 2 * latentDim, { seed: layerSeed(), name: 'encoder/posterior' });
    size = latentDim;
    this.decoderLayers = [...hiddenUnits].reverse().map((units, i) => {
      const layer = new Dense(size, units, { activation, seed: layerSeed(), name: `decoder/hidden${i}` });
      size = units;
      return layer;
    });
    this.output = new Dense(size, this.inputSize, { seed: layerSeed(), name: 'decoder/logits' });
  }

  /** Every variable, keyed by its model-local name (the names used in saved weights). */
  get variables(): Record<string, tf.Variable> {
    return Object.assign(
      {},
      ...[...this.encoderLayers, this.posterior, ...this.decoderLayers, this.output].map((l) => l.variables),
    );
  }

  private flatten(x: tf.Tensor): tf.Tensor2D {
    this.assertAlive();
    const perExample = x.size / (x.shape[0] ?? 1);
    if (x.rank < 2 || perExample !== this.inputSize) {
      throw new Error(
        `VAE: expected a batch of inputs of shape [batch, ${this.config.inputShape}] or [batch, ${this.inputSize}], ` +
          `got [${x.shape}]. Add a batch axis or use a model built for this input shape.`,
      );
    }
    return x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [x.shape[0], this.inputSize]);
  }

  private encodeFlat(x: tf.Tensor2D, dataInput: boolean): { mean: tf.Tensor2D; logVar: tf.Tensor2D } {
    let h: tf.Tensor2D = x;
    this.encoderLayers.forEach((layer, i) => {
      h = layer.apply(h, { inputGradient: !(dataInput && i === 0) });
    });
    const both = this.posterior.apply(h, { inputGradient: !(dataInput && this.encoderLayers.length === 0) });
    const [mean, logVar] = tf.split(both, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    return { mean, logVar };
  }

  /** The posterior's mean and log-variance for a batch, each of shape [batch, latentDim]. */
  encode(x: tf.Tensor): { mean: tf.Tensor2D; logVar: tf.Tensor2D } {
    const { mean, logVar } = tf.tidy(() => {
      const r = this.encodeFlat(this.flatten(x), true);
      return { mean: r.mean, logVar: r.logVar };
    });
    return { mean, logVar };
  }

  /** Bernoulli logits of p(x|z), shape [batch, inputSize]. */
  decodeLogits(z: tf.Tensor): tf.Tensor2D {
    this.assertAlive();
    if (z.rank !== 2 || z.shape[1] !== this.latentDim) {
      throw new Error(`VAE: expected latent codes of shape [batch, ${this.latentDim}], got [${z.shape}].`);
    }
    return tf.tidy(() => {
      let h = z as tf.Tensor2D;
      for (const layer of this.decoderLayers) h = layer.apply(h);
      return this.output.apply(h);
    });
  }

  /** The decoder's mean (pixel probabilities), shape [batch, ...inputShape]. */
  decode(z: tf.Tensor): tf.Tensor {
    return tf.tidy(() =>
      tf.reshape(tf.sigmoid(this.decodeLogits(z)), [z.shape[0], ...this.config.inputShape]),
    );
  }

  /** Decodes the posterior mean of each input: the model's reconstruction, shaped like the input. */
  reconstruct(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.reshape(this.decode(this.encode(x).mean), x.shape));
  }

  /** Decodes `count` draws from the prior N(0, temperature^2 I). */
  sample(count: number, options: { temperature?: number; seed?: number } = {}): tf.Tensor {
    if (!Number.isInteger(count) || count < 1) {
      throw new Error(`VAE.sample: count must be a positive integer, got ${count}.`);
    }
    const temperature = options.temperature ?? 1;
    if (!(temperature > 0)) throw new Error(`VAE.sample: temperature must be > 0, got ${temperature}.`);
    return tf.tidy(() =>
      this.decode(tf.randomNormal([count, this.latentDim], 0, temperature, 'float32', options.seed)),
    );
  }

  /**
   * Per-example terms of the negative ELBO with one reparameterized sample: the reconstruction term
   * -log p(x|z) (binary cross-entropy summed over pixels) and KL(q(z|x) || N(0, I)), each [batch], in nats.
   */
  elboTerms(x: tf.Tensor, options: { seed?: number } = {}): ElboTerms {
    return this.terms(x, options.seed, false);
  }

  /** log p(x|z) per example: minus the binary cross-entropy between x and the decoder's Bernoulli logits. */
  logLikelihood(x: tf.Tensor, z: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => {
      const flat = this.flatten(x);
      if (z.shape[0] !== flat.shape[0]) {
        throw new Error(
          `VAE.logLikelihood: ${flat.shape[0]} inputs but ${z.shape[0]} latent codes; pass one z per x.`,
        );
      }
      return tf.neg(
        binaryCrossEntropyWithLogits(flat, this.decodeLogits(z), { reduction: 'none' }),
      ) as tf.Tensor1D;
    });
  }

  private terms(x: tf.Tensor, seed: number | undefined, training: boolean): ElboTerms {
    return tf.tidy(() => {
      const flat = this.flatten(x);
      const { mean, logVar } = this.encodeFlat(flat, training);
      const z = reparameterize(mean, logVar, { seed }) as tf.Tensor2D;
      const logits = this.decodeLogits(z);
      return {
        reconstruction: binaryCrossEntropyWithLogits(flat, logits, { reduction: 'none' }) as tf.Tensor1D,
        kl: klDivergenceStandardNormal(mean, logVar, { reduction: 'none' }) as tf.Tensor1D,
      };
    });
  }

  /** The training objective for a batch: mean reconstruction + beta * mean KL, with its terms. */
  trainingLoss(x: tf.Tensor, options: { seed?: number; beta?: number } = {}) {
    const beta = options.beta ?? this.config.beta;
    const { reconstruction, kl } = this.terms(x, options.seed, true);
    const r = tf.mean(reconstruction) as tf.Scalar;
    const k = tf.mean(kl) as tf.Scalar;
    const total = tf.add(r, tf.mul(beta, k)) as tf.Scalar;
    tf.dispose([reconstruction, kl]);
    return { total, terms: { reconstruction: r, kl: k } };
  }

  /** Averages the loss terms over a data set, in nats per example (one sample of z per example). */
  async evaluate(data: BatchSource, options: { batchSize?: number; seed?: number } = {}): Promise<LossTerms> {
    const random = new Random(options.seed ?? 0);
    const means = await meanOverBatches(data, options.batchSize ?? 1000, (x) =>
      this.elboTerms(x, { seed: random.nextSeed() }),
    );
    const weightedKl = this.config.beta * means.kl;
    return {
      reconstruction: means.reconstruction,
      kl: means.kl,
      weightedKl,
      total: means.reconstruction + weightedKl,
    };
  }

  /** Trains the model with Adam (by default) on a data source. See `FitOptions`. */
  fit(data: BatchSource, options: FitOptions = {}): Promise<History> {
    return train(this, data, options);
  }

  private assertAlive(): void {
    if (this.disposed) throw new Error('VAE: this model was disposed; create or load a new one.');
  }

  /** Releases the model's variables. */
  dispose(): void {
    if (this.disposed) return;
    for (const variable of Object.values(this.variables)) variable.dispose();
    this.disposed = true;
  }
}
