/** Small synthetic data sets for the unit tests (structure a model can learn; random noise cannot be compressed). */
import * as tf from '@tensorflow/tfjs-core';

/** `count` binary 4x4 images, repeating four prototypes, with their prototype index as label. */
export function binaryPrototypes(count = 16): { x: tf.Tensor; labels: number[] } {
  const prototypes = [0x0f0f, 0xf0f0, 0x3c3c, 0xc3c3].map((bits) =>
    Array.from({ length: 16 }, (_, i) => (bits >> i) & 1),
  );
  const labels = Array.from({ length: count }, (_, i) => i % 4);
  return {
    x: tf.tensor4d(
      labels.flatMap((l) => prototypes[l]),
      [count, 4, 4, 1],
    ),
    labels,
  };
}

/** `count` binary 8x8 images: four blocks patterns, for convolutional models. */
export function binaryImages8(count = 16): { x: tf.Tensor; labels: number[] } {
  const labels = Array.from({ length: count }, (_, i) => i % 4);
  const values = labels.flatMap((l) =>
    Array.from({ length: 64 }, (_, p) => {
      const row = Math.floor(p / 8);
      const col = p % 8;
      return [row < 4, col < 4, (row + col) % 2 === 0, row >= 4 && col >= 4][l] ? 1 : 0;
    }),
  );
  return { x: tf.tensor4d(values, [count, 8, 8, 1]), labels };
}

/** `count` real-valued vectors near a `rank`-dimensional subspace of R^dim, plus small noise, seeded. */
export function lowRankData(count: number, dim: number, rank: number, seed = 1): tf.Tensor2D {
  return tf.tidy(() => {
    const factors = tf.randomNormal([count, rank], 0, 1, 'float32', seed);
    const scales = tf.tensor1d(Array.from({ length: rank }, (_, i) => 3 - (2 * i) / Math.max(rank, 1)));
    const basis = tf.randomNormal([rank, dim], 0, 1, 'float32', seed + 1);
    const noise = tf.randomNormal([count, dim], 0, 0.05, 'float32', seed + 2);
    return tf.add(tf.add(tf.matMul(tf.mul(factors, scales), basis), noise), 0.5) as tf.Tensor2D;
  });
}
