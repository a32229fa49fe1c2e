/**
 * The semi-supervised VAE M2 of Kingma, Rezende, Mohamed and Welling, "Semi-supervised learning with deep generative
 * models" (NeurIPS 2014): the class label y is a latent variable that is observed for a few examples. The generative
 * model is p(y) = Cat(1/K), p(z) = N(0, I), p(x | y, z) (the decoder of the conditional VAE); the inference model is
 * q(z | x, y) (its encoder) and a classifier q(y | x). For a labelled example the bound is that of the conditional VAE
 * with the label's prior,
 *
 *   -L(x, y) = -E_q(z|x,y)[log p(x | y, z)] + KL(q(z | x, y) || N(0, I)) + log K,
 *
 * and for an unlabelled one y is summed out under the classifier (eq. 7),
 *
 *   -U(x) = sum_y q(y | x) (-L(x, y)) - H(q(y | x)),
 *
 * computed by enumerating the K labels (K decoder passes per example). The classifier, which U alone trains only
 * through its weighting, gets the term alpha * -log q(y | x) on labelled examples (eq. 9). A batch mixes both kinds:
 * labels -1 mark the unlabelled examples (`semiSupervisedSource`), so `fit` trains M2 unchanged. The stacked M1+M2
 * trains M2 on the codes of a VAE (M1): see `m1m2.ts`.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  applyActivation,
  type BatchSource,
  type DataInput,
  Dense,
  fusedDense,
  klWeight,
  Random,
  softmaxCrossEntropyWithLogits,
  toBatchSource,
} from '@vae/core';
import { accuracyOf, predictClasses } from '../base/classes';
import type { Labels } from '../base/model';
import { ConditionalVAE } from '../conditional-vae/conditional-vae.model';
import type { LossTermScalars, ObjectiveContext } from '../training/trainable';
import { type M2Config, resolveM2Config } from './m2.config';

/** Per-example, per-class pieces of M2's bounds, [batch, numClasses] each (nats), and the classifier's log q(y|x). */
export interface M2BoundTerms {
  /** -E_q[log p(x | y = k, z)] */
  reconstruction: tf.Tensor2D;
  /** KL(q(z | x, y = k) || N(0, I)) */
  kl: tf.Tensor2D;
  /** log q(y = k | x) */
  logQ: tf.Tensor2D;
}

export class M2 extends ConditionalVAE {
  static override readonly className: string = 'M2';
  declare readonly config: M2Config;
  private readonly classifier: Dense[];
  /**
   * The label-tiled rows of `enumerate` (row k * batch + i: example i), mapped to the rows they repeat: their
   * encoder pass computes x's part of the first layer once per example, and never runs the classifier.
   */
  private readonly enumerated = new WeakMap<tf.Tensor, tf.Tensor2D>();

  static override resolveConfig(config: Partial<M2Config>): M2Config {
    return resolveM2Config(config);
  }

  constructor(config: Partial<M2Config> = {}) {
    super(config);
    const random = this.config.seed === undefined ? undefined : new Random(this.config.seed + 104729);
    let size = this.inputSize;
    const units = [...this.config.classifierHiddenUnits, this.config.numClasses];
    this.classifier = units.map((n, i) => {
      const last = i === units.length - 1;
      const layer = new Dense(size, n, {
        activation: last ? 'linear' : this.config.activation,
        seed: random?.nextSeed(),
        name: last ? 'classifier/logits' : `classifier/hidden${i}`,
      });
      size = n;
      return layer;
    });
  }

  override get variables(): Record<string, tf.Variable> {
    return Object.assign(super.variables, ...(this.classifier ?? []).map((l) => l.variables));
  }

  /** Labels may be -1 (unknown) here; any other value must be a class. */
  protected override labelTensor(labels: Labels | undefined, batch: number): tf.Tensor1D {
    if (labels === undefined) return undefined as unknown as tf.Tensor1D;
    if (!(labels instanceof tf.Tensor)) {
      const values = Array.from(labels);
      const bad = values.find((v) => !Number.isInteger(v) || v < -1 || v >= this.config.numClasses);
      if (bad !== undefined) {
        throw new Error(
          `${this.className}: label ${bad} is not an integer in [0, ${this.config.numClasses}) or -1 (unlabelled).`,
        );
      }
      if (values.length !== batch) {
        throw new Error(
          `${this.className}: ${values.length} labels for ${batch} examples; pass one per example.`,
        );
      }
      return tf.tensor1d(values, 'int32');
    }
    return super.labelTensor(labels, batch);
  }

  /** Unknown labels (-1, or none given) are filled in with the classifier's most probable class. */
  protected override encodeRows(
    rows: tf.Tensor2D,
    labels: tf.Tensor1D | undefined,
    dataInput: boolean,
  ): { mean: tf.Tensor2D; logVar: tf.Tensor2D } {
    const repeated = this.enumerated.get(rows);
    if (repeated) {
      // Every label is known in the enumeration: no filling in.
      return this.enumeratedPosterior(repeated, dataInput) ?? super.encodeRows(rows, labels, dataInput);
    }
    const predicted = tf.cast(tf.argMax(this.classifierLogits(rows), 1), 'int32') as tf.Tensor1D;
    const filled = labels
      ? (tf.where(tf.greaterEqual(labels, 0), labels, predicted) as tf.Tensor1D)
      : predicted;
    return super.encodeRows(rows, filled, dataInput);
  }

  /** Sources without labels count as unlabelled (-1) in `evaluate`, `embed` and `score`. */
  protected override sourceLabels(source: BatchSource, indices: ArrayLike<number>): tf.Tensor1D {
    const labels = source.labels;
    return tf.tensor1d(
      Int32Array.from(indices, (i) => (labels ? labels[i] : -1)),
      'int32',
    );
  }

  /**
   * q(z | x, y = k) for every example and class, rows k * batch + i, with the MLP encoder's first layer split:
   * [x, onehot(k)] W + b = (x W_x + b) + W_y[k], so x W_x (the bulk of the encoder's work) is computed once per
   * example instead of once per class, and its kernel gradient is one product over the batch, not K. Undefined for
   * convolutional or custom encoders (they run on the tiled rows).
   */
  private enumeratedPosterior(
    rows: tf.Tensor2D,
    dataInput: boolean,
  ): { mean: tf.Tensor2D; logVar: tf.Tensor2D } | undefined {
    if (this.encoder.kind !== 'mlp') return undefined;
    const [first, ...rest] = this.encoder.denseLayers;
    if (!first) return undefined;
    const classes = this.config.numClasses;
    const batch = rows.shape[0];
    const units = first.units;
    const own = fusedDense(rows, tf.slice(first.kernel, [0, 0], [this.inputSize, units]), first.bias, {
      inputGradient: !dataInput,
    });
    const perLabel = tf.slice(first.kernel, [this.inputSize, 0], [classes, units]);
    const linear = tf.reshape(tf.add(tf.expandDims(own, 0), tf.expandDims(perLabel, 1)), [
      classes * batch,
      units,
    ]) as tf.Tensor2D;
    let h = applyActivation(first.activation, linear) as tf.Tensor2D;
    for (const layer of rest) h = layer.apply(h);
    const [mean, logVar] = tf.split(h, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    return { mean, logVar };
  }

  private classifierLogits(rows: tf.Tensor2D): tf.Tensor2D {
    let h = rows;
    for (const layer of this.classifier) h = layer.apply(h);
    return h;
  }

  /** The classifier's class probabilities q(y | x), [batch, numClasses]. */
  classProbabilities(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => tf.softmax(this.classifierLogits(this.flatten(x))) as tf.Tensor2D);
  }

  /** The most probable class under q(y | x) of every example, in order. */
  async predict(input: DataInput, options: { batchSize?: number } = {}): Promise<Int32Array> {
    const data = await this.toSource(input, undefined, 'predict');
    return predictClasses(data, (x) => this.classifierLogits(this.flatten(x)), options.batchSize);
  }

  /** The share of labelled examples whose most probable class is their label (the test error is 1 - this). */
  async accuracy(
    input: DataInput,
    options: { batchSize?: number; labels?: ArrayLike<number> } = {},
  ): Promise<number> {
    const data = await toBatchSource(input, {
      labels: options.labels,
      itemShape: this.config.inputShape,
      caller: 'M2.accuracy',
    });
    if (!data.labels) throw new Error('M2.accuracy: the data has no labels.');
    return accuracyOf(await this.predict(data, options), data.labels);
  }

  /**
   * The pieces of the bound for every example and every class (the enumeration over labels): reconstruction and KL
   * of z under each label, and log q(y | x). One draw of z per (example, class), seeded.
   */
  boundTerms(x: tf.Tensor, options: { seed?: number } = {}): M2BoundTerms {
    return tf.tidy(() => {
      const { reconstruction, kl, logQ } = this.enumerate(this.flatten(x), options.seed, false);
      return { reconstruction, kl, logQ };
    });
  }

  private enumerate(rows: tf.Tensor2D, seed: number | undefined, dataInput: boolean): M2BoundTerms {
    const batch = rows.shape[0];
    const classes = this.config.numClasses;
    const logQ = tf.logSoftmax(this.classifierLogits(rows)) as tf.Tensor2D;
    // Rows k * batch + i: example i with label k. Copies by concat: wasm's Tile kernel took about 0.2 s for a batch
    // of 100 MNIST images (index arithmetic per element), a fifth of a training step.
    const tiled = tf.concat(new Array<tf.Tensor2D>(classes).fill(rows), 0) as tf.Tensor2D;
    const labels = tf.tensor1d(
      Int32Array.from({ length: classes * batch }, (_, r) => Math.floor(r / batch)),
      'int32',
    );
    this.enumerated.set(tiled, rows);
    const terms = this.rowTerms(tiled, seed, labels, dataInput);
    const perClass = (t: tf.Tensor1D) => tf.transpose(tf.reshape(t, [classes, batch])) as tf.Tensor2D;
    return { reconstruction: perClass(terms.reconstruction), kl: perClass(terms.kl), logQ };
  }

  /**
   * Per-example terms of M2's objective, [batch] each: the reconstruction and KL parts of -L(x, y) (labelled) or
   * -U(x) (unlabelled; the KL part holds the label's: sum_y q(y|x) log q(y|x) + log K), the KL with z's part
   * weighted by `zKlWeight` (beta, or the step's weight of a KL schedule), and
   * the classification term alpha * -log q(y | x) (0 for unlabelled examples).
   */
  private objectiveTerms(
    rows: tf.Tensor2D,
    labels: tf.Tensor1D,
    seed: number | undefined,
    dataInput: boolean,
    zKlWeight = this.config.beta,
  ) {
    const classes = this.config.numClasses;
    const { reconstruction, kl, logQ } = this.enumerate(rows, seed, dataInput);
    const logK = Math.log(classes);
    const labelled = tf.cast(tf.greaterEqual(labels, 0), 'float32') as tf.Tensor1D;
    const unlabelled = tf.sub(1, labelled);
    const oneHot = tf.cast(tf.oneHot(labels, classes), 'float32'); // rows of -1: all zeros
    // The labelled examples' weights over classes: their one-hot label; the unlabelled ones': q(y | x).
    const weights = tf.add(
      tf.mul(oneHot, tf.expandDims(labelled, 1)),
      tf.mul(tf.exp(logQ), tf.expandDims(unlabelled, 1)),
    );
    const expect = (t: tf.Tensor) => tf.sum(tf.mul(weights, t), 1) as tf.Tensor1D;
    // -H(q) for unlabelled examples; log K is -log p(y) for both kinds.
    const negEntropy = tf.mul(unlabelled, tf.sum(tf.mul(tf.exp(logQ), logQ), 1));
    const labelKl = tf.add(negEntropy, logK);
    const zKl = expect(kl);
    const classification = tf.mul(
      this.config.alpha,
      softmaxCrossEntropyWithLogits(labels, logQ, { reduction: 'none' }),
    ) as tf.Tensor1D;
    return {
      reconstruction: expect(reconstruction),
      kl: tf.add(zKl, labelKl) as tf.Tensor1D,
      weightedKl: tf.add(tf.mul(zKlWeight, zKl), labelKl) as tf.Tensor1D,
      classification,
    };
  }

  private batchLabels(labels: tf.Tensor1D | undefined, batch: number): tf.Tensor1D {
    if (!labels) return tf.fill([batch], -1, 'int32') as tf.Tensor1D;
    if (labels.shape[0] !== batch) {
      throw new Error(
        `${this.className}: ${labels.shape[0]} labels for ${batch} examples; pass one per example.`,
      );
    }
    return tf.cast(labels, 'int32') as tf.Tensor1D;
  }

  /**
   * The objective for a batch: the mean over its examples of -L(x, y) (labelled), -U(x) (label -1) and
   * alpha * -log q(y | x) (labelled). Terms: `reconstruction`, `kl` (of z, plus the label's), `weightedKl` (beta
   * on z's), `regularizer` (the classification term).
   */
  /** M2 weights the KL by the schedule's value (a capacity schedule's gamma), linearly: shards split it exactly. */
  override dataParallelObstacle(): string | null {
    return null;
  }

  override trainingLoss(
    x: tf.Tensor,
    context: ObjectiveContext = {},
  ): { total: tf.Scalar; terms: LossTermScalars } {
    return tf.tidy(() => {
      const rows = this.flatten(x);
      const labels = this.batchLabels(context.labels, rows.shape[0]);
      // z's KL weight at this step, decided by the VAE's one owner (beta, or fit's klSchedule warm-up).
      const zKlWeight = klWeight(this.klScheduleFor(context.klSchedule), context.step ?? this.trainingStep);
      const t = this.objectiveTerms(rows, labels, context.seed, context.training ?? false, zKlWeight);
      const reconstruction = tf.mean(t.reconstruction) as tf.Scalar;
      const weightedKl = tf.mean(t.weightedKl) as tf.Scalar;
      const regularizer = tf.mean(t.classification) as tf.Scalar;
      return {
        total: tf.addN([reconstruction, weightedKl, regularizer]) as tf.Scalar,
        terms: { reconstruction, kl: tf.mean(t.kl) as tf.Scalar, weightedKl, regularizer },
      };
    });
  }

  /** -L(x, y) for labelled rows, -U(x) for the others (label -1 or none), [batch], nats. */
  protected override scoreRows(rows: tf.Tensor2D, seed: number, labels?: tf.Tensor1D): tf.Tensor1D {
    const t = this.objectiveTerms(rows, this.batchLabels(labels, rows.shape[0]), seed, false);
    return tf.add(t.reconstruction, t.kl) as tf.Tensor1D;
  }
}
