import * as tf from '@tensorflow/tfjs-core';
import {
  batchLabels,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  type DataInput,
  meanOverBatches,
  squaredError,
  toBatchSource,
} from '@vae/core';
import { assertInteger } from './checks';

/**
 * Maps a batch of inputs to their reconstructions: Bernoulli means in [0, 1], or logits (see `output`). It gets the
 * batch's labels when the data has them (`BatchSource.labels`), so one function serves every model, conditional
 * ones included: `(x, labels) => model.reconstruct(x, labels)`.
 */
export type ReconstructFunction = (x: tf.Tensor, labels?: Int32Array) => tf.Tensor;

export interface ReconstructionErrorOptions {
  /** Examples per batch. Default 1000. */
  batchSize?: number;
  /**
   * What `reconstruct` returns: `'probabilities'` (the default; values in [0, 1], clipped to [epsilon, 1 - epsilon]
   * for the cross-entropy) or `'logits'` (the cross-entropy is then computed stably from logits and the squared
   * error uses sigmoid(logits)).
   */
  output?: 'probabilities' | 'logits';
  /** Clipping for probabilities in the cross-entropy, in (0, 0.5). Default 1e-7. */
  epsilon?: number;
  /** Labels of data given as a tensor (handed to `reconstruct`), one per example. */
  labels?: ArrayLike<number>;
}

export interface ReconstructionError {
  /** Binary cross-entropy summed over the values of one example, averaged over examples, nats per image. */
  binaryCrossEntropyPerImage: number;
  /** The same divided by the values per example, nats per pixel. */
  binaryCrossEntropyPerPixel: number;
  /** Squared error summed over the values of one example, averaged over examples. */
  squaredErrorPerImage: number;
  /** The same divided by the values per example (the mean squared error). */
  squaredErrorPerPixel: number;
  /** Values (pixels times channels) per example. */
  pixelsPerImage: number;
  /** Number of examples evaluated. */
  examples: number;
}

/**
 * Binary cross-entropy and squared error between inputs x and their reconstructions, per image (summed over the
 * values of one example) and per pixel, averaged over a data set. The cross-entropy treats x in [0, 1] as Bernoulli
 * targets: it is core's `binaryCrossEntropyWithLogits` (logits) or `binaryCrossEntropy` (probabilities), and the
 * squared error core's `squaredError`.
 */
export async function reconstructionError(
  reconstruct: ReconstructFunction,
  input: DataInput,
  options: ReconstructionErrorOptions = {},
): Promise<ReconstructionError> {
  const where = 'reconstructionError';
  const data = await toBatchSource(input, { labels: options.labels, caller: where });
  const batchSize = options.batchSize ?? 1000;
  const output = options.output ?? 'probabilities';
  const epsilon = options.epsilon ?? 1e-7;
  assertInteger(where, 'batchSize', batchSize);
  if (!(epsilon > 0 && epsilon < 0.5)) {
    throw new Error(
      `${where}: epsilon must be a number in (0, 0.5), got ${epsilon}; use a small value such as 1e-7.`,
    );
  }
  if (output !== 'probabilities' && output !== 'logits') {
    throw new Error(`${where}: output must be 'probabilities' or 'logits', got '${output}'.`);
  }
  if (data.size < 1) throw new Error(`${where}: the data set is empty; pass at least one example.`);
  const pixels = data.itemShape.reduce((a, b) => a * b, 1);
  const means = await meanOverBatches(data, batchSize, (x, _, indices) => {
    const rows = x.shape[0];
    const flat = tf.reshape(x, [rows, pixels]);
    const out = reconstruct(x, batchLabels(data, indices));
    if (out.shape[0] !== rows || out.size !== rows * pixels) {
      throw new Error(
        `${where}: reconstruct returned shape [${out.shape}] for inputs of shape [${x.shape}]; it must return ` +
          `${pixels} values per example.`,
      );
    }
    const flatOut = tf.reshape(out, [rows, pixels]);
    const logits = output === 'logits';
    const crossEntropy = logits
      ? binaryCrossEntropyWithLogits(flat, flatOut, { reduction: 'none' })
      : binaryCrossEntropy(flat, flatOut, { epsilon, reduction: 'none' });
    const mean = logits ? tf.sigmoid(flatOut) : flatOut;
    return {
      crossEntropy: crossEntropy as tf.Tensor1D,
      squared: squaredError(flat, mean, { reduction: 'none' }) as tf.Tensor1D,
    };
  });
  if (!Number.isFinite(means.crossEntropy) || !Number.isFinite(means.squared)) {
    throw new Error(
      `${where}: the error is not finite; the reconstructions or the data contain NaN or infinity.`,
    );
  }
  return {
    binaryCrossEntropyPerImage: means.crossEntropy,
    binaryCrossEntropyPerPixel: means.crossEntropy / pixels,
    squaredErrorPerImage: means.squared,
    squaredErrorPerPixel: means.squared / pixels,
    pixelsPerImage: pixels,
    examples: data.size,
  };
}
