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

  it('matches the closed form per pixel, for saturated and tiny values too (core owns the formula)', async () => {
    // One pixel per example, so each example's value is one term. Closed forms in float64: -x ln p - (1 - x)
    // ln(1 - p) and, from logits, ln(1 + e^-|l|) + max(l, 0) - x l. Where the per-pixel value is tiny (p = 1e-5,
    // l = -30 or 15) tfjs's own ops lose many digits on some backends (ln(1 - p) in float32; log1p of exp on wasm,
    // where it gave 0 for l = -30): core's fused BCE from logits keeps them on cpu and wasm, and its log1p(-p) on
    // cpu. Elsewhere tfjs's ops run (GPU shaders, wasm's log1p): a looser tolerance.
    const exact = (output: string) =>
      output === 'logits' ? ['cpu', 'wasm'].includes(tf.getBackend()) : tf.getBackend() === 'cpu';
    const check = async (
      values: number[][],
      output: 'probabilities' | 'logits',
      closed: (x: number, v: number) => number,
    ) => {
      for (const [target, value] of values) {
        const expected = closed(target, value);
        const input = tf.tensor2d([[target]]);
        const result = await expectNoLeaks(() =>
          reconstructionError(() => tf.tensor2d([[value]]), tensorSource(input), { output }),
        );
        const error = Math.abs(result.binaryCrossEntropyPerImage - expected);
        expect(error).toBeLessThanOrEqual(exact(output) ? 1e-5 * expected + 1e-12 : 5e-2 * expected + 1e-6);
        input.dispose();
      }
    };
    await check(
      [
        [0, 1e-5],
        [0, 3e-4],
        [1, 0.9],
        [0.3, 0.2],
        [0, 0.999],
      ],
      'probabilities',
      (target, p) => -target * Math.log(p) - (1 - target) * Math.log1p(-p),
    );
    await check(
      [
        [0, -30],
        [0, 25],
        [1, 0.4],
        [0.5, -2],
        [1, 3],
        [1, 15],
      ],
      'logits',
      (target, l) => Math.log1p(Math.exp(-Math.abs(l))) + Math.max(l, 0) - target * l,
    );
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
    await expect(reconstructionError((input) => tf.onesLike(input), source, { epsilon: 0 })).rejects.toThrow(
      /epsilon must be a number in \(0, 0.5\)/,
    );
    await expect(reconstructionError((input) => tf.fill(input.shape, Number.NaN), source)).rejects.toThrow(
      /not finite/,
    );
  });
});
