import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { batchRanges, meanOverBatches, range, tensorSource } from './batches';
import { expectNoLeaks } from './testing';

describe('batches', () => {
  it('cover a data set in index ranges', () => {
    expect(batchRanges(5, 2)).toEqual([
      [0, 2],
      [2, 4],
      [4, 5],
    ]);
    expect(Array.from(range(2, 5))).toEqual([2, 3, 4]);
    expect(() => batchRanges(5, 0)).toThrow(/batchSize must be a positive integer/);
  });

  it('average per-example values over a tensor source, leaking no tensors', async () => {
    const data = tf.tensor2d([[1], [2], [3], [4], [5]]);
    const source = tensorSource(data, [0, 1, 0, 1, 0]);
    expect(source.itemShape).toEqual([1]);
    const means = await expectNoLeaks(() =>
      meanOverBatches(source, 2, (x) => ({
        value: tf.reshape(x, [-1]) as tf.Tensor1D,
        square: tf.reshape(tf.square(x), [-1]) as tf.Tensor1D,
      })),
    );
    expect(means).toEqual({ value: 3, square: 11 });
    await expectNoLeaks(() => tf.dispose(source.batch([4, 0])));
    expect(() => tensorSource(tf.zeros([3]))).toThrow(/expected shape \[examples, \.\.\.\]/);
    expect(() => tensorSource(data, [1])).toThrow(/1 labels for 5 examples/);
    data.dispose();
  });
});
