import * as tf from '@tensorflow/tfjs-core';
import { tensorSource } from '@vae/core';
import { expectNoLeaks } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { reconstructionError } from './reconstruction';

describe('reconstructionError', () => {
  const x = tf.tensor4d([0, 1, 1, 1], [2, 2, 1, 1]);
  const probabilities = [0.5, 0.5, 0.9, 0.1];
  // Hand-computed: image 0: -ln 0.5 - ln 0.5; image 1: -ln 0.9 - ln 0.1.
  const crossEntropy = (2 * Math.LN2 - Math.log(0.9) - Math.log(0.1)) / 2;
  // Image 0: 0.25 + 0.25; image 1: 0.01 + 0.81.
  const squared = (0.5 + 0.82) / 2;

  it('computes cross-entropy and squared error per image and per pixel over uneven batches', async () => {
    const reconstruct = (input: tf.Tensor) =>
      tf.tidy(() => {
        // Look up each example's reconstruction by its first value (0 for example 0, 1 for example 1).
        const first = tf.reshape(tf.slice(tf.reshape(input, [input.shape[0], 2]), [0, 0], [-1, 1]), [-1]);
        const table = tf.tensor2d([probabilities.slice(0, 2), probabilities.slice(2)]);
        return tf.gather(table, tf.cast(first, 'int32'));
      });
    const result = await expectNoLeaks(() =>
      reconstructionError(reconstruct, tensorSource(x), { batchSize: 1 }),
    );
    expect(result.binaryCrossEntropyPerImage).toBeCloseTo(crossEntropy, 5);
    expect(result.binaryCrossEntropyPerPixel).toBeCloseTo(crossEntropy / 2, 5);
    expect(result.squaredErrorPerImage).toBeCloseTo(squared, 5);
    expect(result.squaredErrorPerPixel).toBeCloseTo(squared / 2, 5);
    expect(result.pixelsPerImage).toBe(2);
    expect(result.examples).toBe(2);
  });

  it('gives the same numbers from logits', async () => {
    const logits = tf.tensor2d(
      probabilities.map((p) => Math.log(p / (1 - p))),
      [2, 2],
    );
    const reconstruct = (input: tf.Tensor) =>
      tf.tidy(() =>
        tf.gather(
          logits,
          tf.cast(tf.reshape(tf.slice(tf.reshape(input, [-1, 2]), [0, 0], [-1, 1]), [-1]), 'int32'),
        ),
      );
    const result = await expectNoLeaks(() =>
      reconstructionError(reconstruct, tensorSource(x), { output: 'logits' }),
    );
    expect(result.binaryCrossEntropyPerImage).toBeCloseTo(crossEntropy, 4);
    expect(result.squaredErrorPerImage).toBeCloseTo(squared, 4);
    logits.dispose();
  });

  it('rejects mismatched shapes, bad options and non-finite values', async () => {
    const source = tensorSource(x);
    await expectNoLeaks(() =>
      expect(reconstructionError((input) => tf.zeros([input.shape[0], 3]), source)).rejects.toThrow(
        /2 values per example/,
      ),
    );
    await expect(
      reconstructionError((input) => tf.onesLike(input), source, { batchSize: 0 }),
    ).rejects.toThrow(/batchSize/);
    await expect(
      reconstructionError((input) => tf.onesLike(input), source, { output: 'mean' as 'logits' }),
    ).rejects.toThrow(/output/);
    await expect(reconstructionError((input) => tf.fill(input.shape, Number.NaN), source)).rejects.toThrow(
      /not finite/,
    );
  });
});
