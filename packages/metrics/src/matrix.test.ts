import * as tf from '@tensorflow/tfjs-core';
import { tensorSource } from '@vae/core';
import { expectNoLeaks } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { collectCodes } from './matrix';

describe('collectCodes', () => {
  const x = tf.tensor2d([
    [1, 2],
    [3, 4],
    [5, 6],
  ]);

  it('encodes a data set in batches into a float64 matrix, without leaks', async () => {
    const represent = (input: tf.Tensor) => tf.tidy(() => tf.mul(input, 2) as tf.Tensor2D);
    const codes = await expectNoLeaks(() => collectCodes(represent, tensorSource(x), { batchSize: 2 }));
    expect(codes.rows).toBe(3);
    expect(codes.columns).toBe(2);
    expect(Array.from(codes.values)).toEqual([2, 4, 6, 8, 10, 12]);
  });

  it('rejects wrong shapes, empty data and bad batch sizes', async () => {
    const source = tensorSource(x);
    await expectNoLeaks(() =>
      expect(collectCodes(() => tf.zeros([1, 2]), source)).rejects.toThrow(
        /returned shape \[1,2\] for 3 inputs/,
      ),
    );
    let calls = 0;
    const growing = (input: tf.Tensor) => tf.zeros([input.shape[0], ++calls]) as tf.Tensor2D;
    await expect(collectCodes(growing, source, { batchSize: 2 })).rejects.toThrow(/code size changed/);
    await expect(
      collectCodes((input) => tf.zeros([input.shape[0], 1]), source, { batchSize: 0 }),
    ).rejects.toThrow(/batchSize/);
    const empty = { size: 0, itemShape: [2], batch: () => tf.zeros([0, 2]) };
    await expect(collectCodes((input) => input as tf.Tensor2D, empty)).rejects.toThrow(/empty/);
    const nan = (input: tf.Tensor) => tf.fill([input.shape[0], 1], Number.NaN) as tf.Tensor2D;
    await expect(collectCodes(nan, source)).rejects.toThrow(/codes\[0\] is NaN/);
  });
});
