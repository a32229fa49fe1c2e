/**
 * Input corruption for denoising autoencoders (Vincent et al. 2008, 2010): masking noise, which sets each value to 0
 * with probability q, and additive Gaussian noise. The Layers API `MaskingNoiseLayer` and `GaussianNoiseLayer` of
 * `@vae/core/layers` apply the same functions.
 */
import * as tf from '@tensorflow/tfjs-core';

/** x with each value set to 0 with probability `rate` (in [0, 1)), independently; a new tensor. */
export function maskingNoise(x: tf.Tensor, rate: number, seed?: number): tf.Tensor {
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
    throw new Error(
      `maskingNoise: rate (the probability q of zeroing a value) must lie in [0, 1), got ${rate}.`,
    );
  }
  if (rate === 0) return tf.clone(x);
  return tf.tidy(() => {
    const keep = tf.cast(tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', seed), rate), x.dtype);
    return tf.mul(x, keep);
  });
}

/** x plus N(0, stddev^2) noise on every value (stddev >= 0); a new tensor. */
export function gaussianNoise(x: tf.Tensor, stddev: number, seed?: number): tf.Tensor {
  if (typeof stddev !== 'number' || !Number.isFinite(stddev) || stddev < 0) {
    throw new Error(`gaussianNoise: stddev must be a finite number >= 0, got ${stddev}.`);
  }
  if (stddev === 0) return tf.clone(x);
  return tf.tidy(() => tf.add(x, tf.randomNormal(x.shape, 0, stddev, 'float32', seed)));
}
