/**
 * A classifier on the codes of an encoder: logits = head(code(x)), with the code of any model of the registry that
 * encodes without labels (the posterior mean of a VAE, the code of an autoencoder). The head is a linear layer
 * (optionally after hidden layers). With `trainEncoder` false only the head is optimized (a linear probe); with
 * true the encoder's weights are optimized too (fine-tuning). Trained by the shared `fit` loop, on the softmax
 * cross-entropy of @vae/core, reported as the `reconstruction` term of the loss record (the negative log-likelihood
 * of the labels; the other terms are 0).
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  type BatchSource,
  batchRanges,
  type DataInput,
  Dense,
  type LossTerms,
  Random,
  range,
  softmaxCrossEntropyWithLogits,
  toBatchSource,
} from '@vae/core';
import { accuracyOf, predictClasses } from '../base/classes';
import { type FitOptions, type History, train } from '../training/fit';
import type { LossTermScalars, ObjectiveContext, TrainableModel } from '../training/trainable';

/** What the classifier needs from an encoder: the models of the registry that encode without labels. */
export interface CodeEncoder {
  readonly className: string;
  readonly config: object;
  readonly latentDim: number;
  readonly variables: Record<string, tf.Variable>;
  readonly usesLabels?: boolean;
  /** A code [batch, latentDim], or a posterior whose mean is the code. */
  encode(x: tf.Tensor): tf.Tensor2D | { mean: tf.Tensor2D; logVar: tf.Tensor2D };
  assertTrainable?(): void;
  dispose(): void;
}

/** The code of x: an autoencoder's code, or a VAE posterior's mean. */
export function codeOf(encoder: CodeEncoder, x: tf.Tensor): tf.Tensor2D {
  const out = encoder.encode(x);
  if (out instanceof tf.Tensor) return out;
  out.logVar.dispose();
  return out.mean;
}

/** The encoder's own weights (names starting with 'encoder/'): what fine-tuning optimizes. */
export function encoderVariables(encoder: CodeEncoder): Record<string, tf.Variable> {
  const entries = Object.entries(encoder.variables).filter(
    ([name, v]) => name.startsWith('encoder/') && v.trainable,
  );
  if (entries.length === 0) {
    throw new Error(
      `${encoder.className}: no trainable encoder weights (names starting with 'encoder/') to fine-tune.`,
    );
  }
  return Object.fromEntries(entries);
}

export interface LabelClassifierOptions {
  /** Number of classes (labels are integers in [0, numClasses)). */
  numClasses: number;
  /** The encoder whose codes are classified. The classifier does not dispose it unless `ownsEncoder`. */
  encoder: CodeEncoder;
  /** Optimize the encoder's weights too (fine-tuning); default false (linear probe). */
  trainEncoder?: boolean;
  /** Hidden layer sizes of the head (ReLU) before the output layer; default [] (a linear head). */
  hiddenUnits?: number[];
  /** Dispose the encoder with the classifier (a copy made for fine-tuning). Default false. */
  ownsEncoder?: boolean;
  /** Seed of the head's initial weights. */
  seed?: number;
}

/** The (JSON) description of a classifier, as `fit` and checkpoints record it. */
export interface LabelClassifierConfig {
  numClasses: number;
  encoderClassName: string;
  latentDim: number;
  trainEncoder: boolean;
  hiddenUnits: number[];
  seed?: number;
}

export class LabelClassifier implements TrainableModel {
  static readonly className = 'LabelClassifier';
  readonly className = 'LabelClassifier';
  readonly config: LabelClassifierConfig;
  readonly usesLabels = true;
  trainingStep = 0;
  readonly encoder: CodeEncoder;
  private readonly head: Dense[];
  private readonly ownsEncoder: boolean;
  private disposed = false;

  constructor(options: LabelClassifierOptions) {
    const { encoder, numClasses } = options;
    if (!Number.isInteger(numClasses) || numClasses < 2) {
      throw new Error(`LabelClassifier: numClasses must be an integer >= 2, got ${numClasses}.`);
    }
    if (encoder.usesLabels) {
      throw new Error(
        `LabelClassifier: a ${encoder.className} encodes with the class label as input, so its codes cannot ` +
          'classify; pretrain a model that encodes x alone (e.g. VAE, Autoencoder).',
      );
    }
    const hiddenUnits = options.hiddenUnits ?? [];
    if (hiddenUnits.some((u) => !Number.isInteger(u) || u < 1)) {
      throw new Error(`LabelClassifier: hiddenUnits must be positive integers, got [${hiddenUnits}].`);
    }
    this.encoder = encoder;
    this.ownsEncoder = options.ownsEncoder ?? false;
    this.config = {
      numClasses,
      encoderClassName: encoder.className,
      latentDim: encoder.latentDim,
      trainEncoder: options.trainEncoder ?? false,
      hiddenUnits,
      seed: options.seed,
    };
    const random = options.seed === undefined ? undefined : new Random(options.seed);
    let size = encoder.latentDim;
    this.head = [...hiddenUnits, numClasses].map((units, i) => {
      const last = i === hiddenUnits.length;
      const layer = new Dense(size, units, {
        activation: last ? 'linear' : 'relu',
        seed: random?.nextSeed(),
        name: last ? 'classifier/logits' : `classifier/hidden${i}`,
      });
      size = units;
      return layer;
    });
  }

  /** Whether `fit` optimizes the encoder's weights too (fine-tuning) or the head's alone (a probe). */
  /** Replicas are rebuilt from a class name and config, and a classifier's config does not hold its encoder. */
  dataParallelObstacle(): string | null {
    return 'its encoder is an object of the app that a worker cannot rebuild from a config';
  }

  setTrainEncoder(train: boolean): void {
    this.config.trainEncoder = train;
  }

  /** The head's weights, and the encoder's when it is fine-tuned: what `fit` optimizes. */
  get variables(): Record<string, tf.Variable> {
    return Object.assign(
      this.config.trainEncoder ? encoderVariables(this.encoder) : {},
      ...this.head.map((l) => l.variables),
    );
  }

  private assertAlive(): void {
    if (this.disposed) throw new Error('LabelClassifier: this classifier was disposed.');
  }

  /** Class logits [batch, numClasses] of inputs x. */
  logits(x: tf.Tensor): tf.Tensor2D {
    this.assertAlive();
    return tf.tidy(() => {
      let h = codeOf(this.encoder, x);
      for (const layer of this.head) h = layer.apply(h);
      return h;
    });
  }

  trainingLoss(x: tf.Tensor, context: ObjectiveContext = {}): { total: tf.Scalar; terms: LossTermScalars } {
    if (!context.labels) throw new Error('LabelClassifier: training needs the class labels of the batch.');
    const labels = context.labels;
    return tf.tidy(() => {
      const loss = softmaxCrossEntropyWithLogits(labels, this.logits(x)) as tf.Scalar;
      const zero = tf.scalar(0);
      return {
        total: loss,
        terms: {
          reconstruction: tf.clone(loss),
          kl: zero,
          weightedKl: tf.clone(zero),
          regularizer: tf.clone(zero),
        },
      };
    });
  }

  private source(
    data: DataInput,
    labels: ArrayLike<number> | undefined,
    caller: string,
  ): Promise<BatchSource> {
    this.assertAlive();
    return toBatchSource(data, { labels, caller: `LabelClassifier.${caller}` });
  }

  /** Mean cross-entropy over labelled data, as the loss record (`reconstruction` = `total`). */
  async evaluate(
    input: DataInput,
    options: { batchSize?: number; labels?: ArrayLike<number> } = {},
  ): Promise<LossTerms> {
    const data = await this.source(input, options.labels, 'evaluate');
    if (!data.labels) throw new Error('LabelClassifier.evaluate: the data has no labels.');
    let sum = 0;
    for (const [start, end] of batchRanges(data.size, options.batchSize ?? 1000)) {
      const indices = range(start, end);
      const loss = tf.tidy(() =>
        softmaxCrossEntropyWithLogits(
          Int32Array.from(indices, (i) => (data.labels as ArrayLike<number>)[i]),
          this.logits(data.batch(indices)),
          { reduction: 'sum' },
        ),
      );
      sum += (await loss.data())[0];
      loss.dispose();
    }
    const total = sum / data.size;
    return { reconstruction: total, kl: 0, weightedKl: 0, regularizer: 0, total };
  }

  /** The most probable class of every example, in order. */
  async predict(input: DataInput, options: { batchSize?: number } = {}): Promise<Int32Array> {
    const data = await this.source(input, undefined, 'predict');
    return predictClasses(data, (x) => this.logits(x), options.batchSize);
  }

  /** The share of examples whose predicted class is their label. */
  async accuracy(
    input: DataInput,
    options: { batchSize?: number; labels?: ArrayLike<number> } = {},
  ): Promise<number> {
    const data = await this.source(input, options.labels, 'accuracy');
    if (!data.labels) throw new Error('LabelClassifier.accuracy: the data has no labels.');
    return accuracyOf(await this.predict(data, options), data.labels);
  }

  /** Trains with the shared `fit` loop (Adam, shuffling, callbacks, early stopping, ...). */
  async fit(data: DataInput, options: FitOptions = {}): Promise<History> {
    return train(this, await this.source(data, options.labels, 'fit'), options);
  }

  assertTrainable(): void {
    if (this.config.trainEncoder) this.encoder.assertTrainable?.();
  }

  async prepareTraining(_data: BatchSource): Promise<void> {}

  /** Releases the head's weights (and the encoder's when the classifier owns it). */
  dispose(): void {
    if (this.disposed) return;
    for (const layer of this.head) layer.dispose();
    if (this.ownsEncoder) this.encoder.dispose();
    this.disposed = true;
  }
}
