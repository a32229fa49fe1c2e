/**
 * What every model of the family shares: input checks, the one API (`decode`, `reconstruct`, `interpolate`,
 * `traverse`, `embed`, `score`, `evaluate`, `fit`), saving names and disposal. Each model adds its encoder,
 * decoder and objective.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  type BatchSource,
  batchRanges,
  conditioningLabels,
  batchLabels as coreBatchLabels,
  type DataInput,
  interpolateLatent,
  type KlSchedule,
  type Labels,
  type LossTerms,
  type ProgressOptions,
  Random,
  range,
  reportProgress,
  toBatchSource,
  traverseLatent,
} from '@vae/core';
import { type FitOptions, type History, train } from '../training/fit';
import type { LossTermScalars, ObjectiveContext, TrainableModel } from '../training/trainable';
import type { ModelConfig } from './config';

/** Class labels: a [batch] tensor of integers, or an array of them (core's `Labels`). */
/**
 * Data for `fit`, `evaluate`, `embed` and `score` (core's `DataInput`): a batch source, a tensor of examples, a
 * typed array (the values alone, in the model's `inputShape`, or `{ values, shape, labels }`), or an async iterable
 * of batches. Labels of a tensor or of bare values go in the `labels` option.
 */
export type { DataInput, Labels };

export interface BatchOptions extends ProgressOptions {
  /** Examples per batch. Default 1000. */
  batchSize?: number;
  /** Labels of a tensor or of bare values (conditional models), one per example. */
  labels?: ArrayLike<number>;
}

export interface EvaluateOptions extends ProgressOptions {
  /** Labels of a tensor or of bare values (conditional models), one per example. */
  labels?: ArrayLike<number>;
  /** Examples per batch. Default 1000. */
  batchSize?: number;
  /** Seed of the random draws (reparameterization, corruption). Default 0. */
  seed?: number;
  /** Step at which a KL schedule is evaluated. Default: the step reached by the last `fit`. */
  step?: number;
  /** KL weight; default the model's own (beta, or its capacity schedule). */
  klSchedule?: KlSchedule;
}

/** The labels of `indices` from a source, as int32 [batch]. */
export function batchLabels(data: BatchSource, indices: ArrayLike<number>): tf.Tensor1D | undefined {
  const labels = coreBatchLabels(data, indices);
  return labels && tf.tensor1d(labels, 'int32');
}

/** An encoder or decoder, as the base class handles them. */
export interface NetworkPart {
  /** Layers the wasm backend cannot train, with the reason. */
  untrainableOnWasm(): string[];
  dispose(): void;
}

export abstract class BaseModel<C extends ModelConfig> implements TrainableModel {
  /** The registry name of the model's class (each class declares a static `className`). */
  get className(): string {
    return (this.constructor as unknown as { className: string }).className;
  }

  readonly config: C;
  readonly inputSize: number;
  readonly latentDim: number;
  /** Optimizer updates of the last `fit` (KL schedules are evaluated there). */
  trainingStep = 0;
  /** Whether the model needs class labels (conditional models). */
  readonly usesLabels: boolean = false;
  protected disposed = false;

  constructor(config: C) {
    this.config = config;
    this.inputSize = config.inputShape.reduce((a, b) => a * b, 1);
    this.latentDim = config.latentDim;
  }

  /** Every variable, keyed by its model-local name (the names used in saved weights). */
  abstract get variables(): Record<string, tf.Variable>;

  /** The objective for a batch (`total`, minimized by `fit`) and its named terms, nats per example. */
  abstract trainingLoss(
    x: tf.Tensor,
    context?: ObjectiveContext,
  ): { total: tf.Scalar; terms: LossTermScalars };

  /** Codes of flat rows: the posterior mean (VAEs) or the code (autoencoders), [batch, latentDim]. */
  protected abstract codesOf(rows: tf.Tensor2D, labels?: tf.Tensor1D): tf.Tensor2D;

  /** The decoder's reconstruction (mean of p(x|z)) of codes, as flat rows [batch, inputSize]. */
  protected abstract decodeRows(z: tf.Tensor2D, labels?: tf.Tensor1D): tf.Tensor2D;

  /** Per-example anomaly score of flat rows (negative ELBO or reconstruction error), [batch], nats. */
  protected abstract scoreRows(rows: tf.Tensor2D, seed: number, labels?: tf.Tensor1D): tf.Tensor1D;

  /** The encoder and decoder networks (for backend checks). */
  protected abstract get networks(): NetworkPart[];

  protected assertAlive(): void {
    if (this.disposed)
      throw new Error(`${this.className}: this model was disposed; create or load a new one.`);
  }

  /** Checks a batch of inputs and returns it as rows [batch, inputSize]. */
  protected flatten(x: tf.Tensor): tf.Tensor2D {
    this.assertAlive();
    const perExample = x.size / (x.shape[0] || 1);
    if (x.rank < 2 || perExample !== this.inputSize) {
      throw new Error(
        `${this.className}: expected a batch of inputs of shape [batch, ${this.config.inputShape}] or ` +
          `[batch, ${this.inputSize}], got [${x.shape}]. Add a batch axis or use a model built for this input shape.`,
      );
    }
    return x.rank === 2 ? (x as tf.Tensor2D) : tf.reshape(x, [x.shape[0], this.inputSize]);
  }

  protected checkCodes(z: tf.Tensor): void {
    this.assertAlive();
    if (z.rank !== 2 || z.shape[1] !== this.latentDim) {
      throw new Error(
        `${this.className}: expected latent codes of shape [batch, ${this.latentDim}], got [${z.shape}].`,
      );
    }
  }

  /** Labels as int32 [batch] (conditional models override to require and check them). */
  protected labelTensor(_labels: Labels | undefined, _batch: number): tf.Tensor1D | undefined {
    return undefined;
  }

  /** The reconstruction (mean of p(x|z)) of latent codes z [batch, latentDim], shaped [batch, ...inputShape]. */
  decode(z: tf.Tensor, labels?: Labels): tf.Tensor {
    this.checkCodes(z);
    return tf.tidy(() =>
      tf.reshape(this.decodeRows(z as tf.Tensor2D, this.labelTensor(labels, z.shape[0])), [
        z.shape[0],
        ...this.config.inputShape,
      ]),
    );
  }

  /** Encodes and decodes each input (the posterior mean for VAEs), shaped like the input. */
  reconstruct(x: tf.Tensor, labels?: Labels): tf.Tensor {
    return tf.tidy(() => {
      const rows = this.flatten(x);
      const l = this.labelTensor(labels, rows.shape[0]);
      return tf.reshape(this.decodeRows(this.codesOf(rows, l), l), x.shape);
    });
  }

  /**
   * Decoded points on the path between the codes of inputs `a` and `b` (batches of equal size):
   * [batch, steps, ...inputShape], both ends included. `spherical` interpolates along the great circle.
   */
  interpolate(
    a: tf.Tensor,
    b: tf.Tensor,
    steps = 10,
    options: { spherical?: boolean; labels?: Labels } = {},
  ): tf.Tensor {
    return tf.tidy(() => {
      const rowsA = this.flatten(a);
      const rowsB = this.flatten(b);
      if (rowsA.shape[0] !== rowsB.shape[0]) {
        throw new Error(
          `${this.className}.interpolate: a has ${rowsA.shape[0]} examples and b ${rowsB.shape[0]}.`,
        );
      }
      const labels = this.labelTensor(options.labels, rowsA.shape[0]);
      const path = interpolateLatent(
        this.codesOf(rowsA, labels),
        this.codesOf(rowsB, labels),
        steps,
        options,
      );
      return this.decodePath(path, labels);
    });
  }

  /**
   * Traversal of one latent dimension: for each code of z [batch, latentDim], decodes `steps` copies in which
   * `dimension` runs over `range` (default [-3, 3]) and the others stay. [batch, steps, ...inputShape].
   */
  traverse(
    z: tf.Tensor,
    dimension: number,
    options: { range?: [number, number]; steps?: number; labels?: Labels } = {},
  ): tf.Tensor {
    this.checkCodes(z);
    return tf.tidy(() => {
      const labels = this.labelTensor(options.labels, z.shape[0]);
      return this.decodePath(traverseLatent(z, dimension, options), labels);
    });
  }

  private decodePath(path: tf.Tensor3D, labels: tf.Tensor1D | undefined): tf.Tensor {
    const [batch, steps] = path.shape;
    const rows = tf.reshape(path, [batch * steps, this.latentDim]) as tf.Tensor2D;
    const repeated = labels
      ? (tf.reshape(tf.tile(tf.expandDims(labels, 1), [1, steps]), [-1]) as tf.Tensor1D)
      : undefined;
    return tf.reshape(this.decodeRows(rows, repeated), [batch, steps, ...this.config.inputShape]);
  }

  /** `data` in any accepted form as a `BatchSource` of this model's inputs. */
  protected toSource(
    data: DataInput,
    labels: ArrayLike<number> | undefined,
    method: string,
  ): Promise<BatchSource> {
    this.assertAlive();
    return toBatchSource(data, {
      labels,
      itemShape: this.config.inputShape,
      caller: `${this.className}.${method}`,
    });
  }

  /**
   * Codes of every example (posterior means for VAEs), [size, latentDim]. The caller disposes the tensor. Reports
   * the examples done to `onProgress` after every batch; `signal` stops it (rejecting with the signal's reason).
   */
  async embed(data: DataInput, options: BatchOptions = {}): Promise<tf.Tensor2D> {
    const source = await this.toSource(data, options.labels, 'embed');
    const parts: tf.Tensor2D[] = [];
    try {
      for (const [start, end] of batchRanges(source.size, options.batchSize ?? 1000)) {
        const indices = range(start, end);
        parts.push(
          tf.tidy(() =>
            this.codesOf(this.flatten(source.batch(indices)), this.sourceLabels(source, indices)),
          ),
        );
        await reportProgress(options, end, source.size);
      }
      return tf.tidy(() => (parts.length === 1 ? tf.clone(parts[0]) : tf.concat(parts, 0))) as tf.Tensor2D;
    } finally {
      tf.dispose(parts);
    }
  }

  /**
   * Per-example anomaly scores, one per example in order: the negative ELBO (VAEs) or the reconstruction error
   * (autoencoders), in nats. Higher means less typical of the training data. Reports progress and stops on
   * `signal` like `embed`.
   */
  async score(data: DataInput, options: BatchOptions & { seed?: number } = {}): Promise<Float32Array> {
    const source = await this.toSource(data, options.labels, 'score');
    const out = new Float32Array(source.size);
    const random = new Random(options.seed ?? 0);
    for (const [start, end] of batchRanges(source.size, options.batchSize ?? 1000)) {
      const indices = range(start, end);
      const scores = tf.tidy(() =>
        this.scoreRows(
          this.flatten(source.batch(indices)),
          random.nextSeed(),
          this.sourceLabels(source, indices),
        ),
      );
      out.set(await scores.data(), start);
      scores.dispose();
      await reportProgress(options, end, source.size);
    }
    return out;
  }

  protected sourceLabels(source: BatchSource, indices: ArrayLike<number>): tf.Tensor1D | undefined {
    const labels = conditioningLabels(this, source, indices, this.className);
    return labels && tf.tensor1d(labels, 'int32');
  }

  /**
   * Averages the loss terms over a data set, in nats per example (one random draw per example). Reports progress
   * and stops on `signal` like `embed`.
   */
  async evaluate(input: DataInput, options: EvaluateOptions = {}): Promise<LossTerms> {
    const data = await this.toSource(input, options.labels, 'evaluate');
    if (data.size < 1) throw new Error(`${this.className}.evaluate: the data source is empty.`);
    const random = new Random(options.seed ?? 0);
    const step = options.step ?? this.trainingStep;
    const sums = [0, 0, 0, 0, 0];
    for (const [start, end] of batchRanges(data.size, options.batchSize ?? 1000)) {
      const indices = range(start, end);
      const stacked = tf.tidy(() => {
        const x = data.batch(indices);
        const { total, terms } = this.trainingLoss(x, {
          seed: random.nextSeed(),
          step,
          klSchedule: options.klSchedule,
          labels: this.sourceLabels(data, indices),
        });
        return tf.stack([terms.reconstruction, terms.kl, terms.weightedKl, terms.regularizer, total]);
      });
      const values = await stacked.data();
      stacked.dispose();
      for (let k = 0; k < 5; k++) sums[k] += values[k] * (end - start);
      await reportProgress(options, end, data.size);
    }
    const [reconstruction, kl, weightedKl, regularizer, total] = sums.map((s) => s / data.size);
    return { reconstruction, kl, weightedKl, regularizer, total };
  }

  /**
   * Trains the model (Adam by default) on a data source, a tensor, a typed array (the values alone, in the model's
   * `inputShape`) or an async iterable of batches; labels of a tensor in `options.labels`. See `FitOptions`.
   */
  async fit(data: DataInput, options: FitOptions = {}): Promise<History> {
    const source = await this.toSource(data, options.labels, 'fit');
    const validationData =
      options.validationData === undefined
        ? undefined
        : await this.toSource(options.validationData, undefined, 'fit (validationData)');
    return train(this, source, { ...options, validationData });
  }

  /** Throws a clear error when the active backend cannot compute this model's gradients. */
  assertTrainable(): void {
    if (tf.getBackend() !== 'wasm') return;
    const problems = this.networks.flatMap((n) => n.untrainableOnWasm());
    if (problems.length) {
      throw new Error(
        `${this.className}: the wasm backend of tfjs 4.22 cannot train these layers: ${problems.join('; ')}. ` +
          "Train on 'cpu', 'webgl', 'webgpu' or 'tensorflow' (@tensorflow/tfjs-node) instead (selectBackend from " +
          "@vae/core), or build the convolutions with convBlock({ ..., implementation: 'vae' }) or ConvLayer / " +
          "ConvTransposeLayer from @vae/core/layers, which train on wasm (as the built-in network: 'conv' does); a model " +
          'trained elsewhere encodes, decodes and samples on wasm too.',
      );
    }
  }

  /** Called by `fit` before training (e.g. to compute input statistics). */
  async prepareTraining(_data: BatchSource): Promise<void> {}

  /** Releases the model's variables. */
  dispose(): void {
    if (this.disposed) return;
    const variables = Object.values(this.variables);
    for (const network of this.networks) network.dispose();
    for (const variable of variables) if (!variable.isDisposed) variable.dispose();
    this.disposed = true;
  }
}
