import * as tf from '@tensorflow/tfjs-core';
import { type BatchSource, meanOverBatches } from '@vae/core';
import { assertInRange, assertInteger } from './checks';

/** Maps a batch of inputs to their reconstructions: Bernoulli means in [0, 1], or logits (see `output`). */
export type ReconstructFunction = (x: tf.Tensor) => tf.Tensor;

export interface ReconstructionErrorOptions {
  /** Examples per batch. Default 1000. */
  batchSize?: number;
  /**
   * What `reconstruct` returns: `'probabilities'` (the default; values in [0, 1], clipped to [epsilon, 1 - epsilon]
   * for the cross-entropy) or `'logits'` (the cross-entropy is then computed stably from logits and the squared
   * error uses sigmoid(logits)).
   */
  output?: 'probabilities' | 'logits';
  /** Clipping for probabilities in the cross-entropy. Default 1e-7. */
  epsilon?: number;
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
 * targets, as `binaryCrossEntropyWithLogits` in core does.
 */
export async function reconstructionError(
  reconstruct: ReconstructFunction,
  data: BatchSource,
  options: ReconstructionErrorOptions = {},
): Promise<ReconstructionError> {
  const where = 'reconstructionError';
  const batchSize = options.batchSize ?? 1000;
  const output = options.output ?? 'probabilities';
  const epsilon = options.epsilon ?? 1e-7;
  assertInteger(where, 'batchSize', batchSize);
  assertInRange(where, 'epsilon', epsilon, 0, 0.5);
  if (output !== 'probabilities' && output !== 'logits') {
    throw new Error(`${where}: output must be 'probabilities' or 'logits', got '${output}'.`);
  }
  if (data.size < 1) throw new Error(`${where}: the data set is empty; pass at least one example.`);
  const pixels = data.itemShape.reduce((a, b) => a * b, 1);
  const means = await meanOverBatches(data, batchSize, (x) => {
    const rows = x.shape[0];
    const flat = tf.reshape(x, [rows, pixels]);
    const out = reconstruct(x);
    if (out.shape[0] !== rows || out.size !== rows * pixels) {
      throw new Error(
        `${where}: reconstruct returned shape [${out.shape}] for inputs of shape [${x.shape}]; it must return ` +
          `${pixels} values per example.`,
      );
    }
    const flatOut = tf.reshape(out, [rows, pixels]);
    let crossEntropy: tf.Tensor;
    let mean: tf.Tensor;
    if (output === 'logits') {
      crossEntropy = tf.add(
        tf.sub(tf.relu(flatOut), tf.mul(flatOut, flat)),
        tf.log1p(tf.exp(tf.neg(tf.abs(flatOut)))),
      );
      mean = tf.sigmoid(flatOut);
    } else {
      const p = tf.clipByValue(flatOut, epsilon, 1 - epsilon);
      crossEntropy = tf.neg(tf.add(tf.mul(flat, tf.log(p)), tf.mul(tf.sub(1, flat), tf.log(tf.sub(1, p)))));
      mean = flatOut;
    }
    return {
      crossEntropy: tf.sum(crossEntropy, 1) as tf.Tensor1D,
      squared: tf.sum(tf.squaredDifference(flat, mean), 1) as tf.Tensor1D,
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
