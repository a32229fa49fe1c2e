import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { logMeanExp, logSumExp } from './log-space';
import { checkGradients, expectClose, expectNoLeaks } from './testing';

const naive = (row: number[]) => Math.log(row.reduce((s, v) => s + Math.exp(v), 0));

describe('logSumExp and logMeanExp', () => {
  it('equal the naive forms for moderate values, along any axis', async () => {
    const values = [
      [0.5, -1, 2],
      [3, 0.1, -0.7],
    ];
    const t = tf.tensor2d(values);
    await expectClose(logSumExp(t), values.map(naive));
    await expectClose(
      logSumExp(t, 1, true),
      values.map((row) => [naive(row)]),
    );
    await expectClose(
      logSumExp(t, 0),
      values[0].map((v, j) => naive([v, values[1][j]])),
    );
    await expectClose(
      logMeanExp(t, -1),
      values.map((row) => naive(row) - Math.log(3)),
    );
  });

  it('stay finite and exact where the naive form overflows or underflows', async () => {
    await expectClose(logSumExp(tf.tensor1d([1000, 1000])), 1000 + Math.log(2), { rtol: 1e-6 });
    await expectClose(logSumExp(tf.tensor1d([-1000, -1000])), -1000 + Math.log(2), { rtol: 1e-6 });
    await expectClose(logMeanExp(tf.tensor1d([-2000, -2000, -2000])), -2000, { rtol: 1e-6 });
    await expectClose(logSumExp(tf.tensor1d([0, Number.NEGATIVE_INFINITY])), 0);
    await expectClose(
      logSumExp(tf.tensor1d([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY])),
      Number.NEGATIVE_INFINITY,
    );
  });

  it('have the softmax as gradient, zero for -Infinity entries', async () => {
    const values = [0.3, -1.2, 2.5, 0];
    const g = tf.grad((v: tf.Tensor) => logSumExp(v) as tf.Scalar)(tf.tensor1d(values));
    const total = values.reduce((s, v) => s + Math.exp(v), 0);
    await expectClose(
      g,
      values.map((v) => Math.exp(v) / total),
    );
    const big = tf.grad((v: tf.Tensor) => logMeanExp(v) as tf.Scalar)(tf.tensor1d([800, 800]));
    await expectClose(big, [0.5, 0.5]);
    const masked = tf.grad((v: tf.Tensor) => logSumExp(v) as tf.Scalar)(
      tf.tensor1d([1, Number.NEGATIVE_INFINITY]),
    );
    await expectClose(masked, [1, 0]);
    await checkGradients(
      (v) => tf.sum(tf.mul(logSumExp(v, 0), tf.tensor1d([1, -2]))) as tf.Scalar,
      [
        tf.tensor2d([
          [0.2, 1.5],
          [-0.4, 0.3],
          [1, -1],
        ]),
      ],
    );
  });

  it('name the argument on a bad axis or an empty axis', () => {
    expect(() => logSumExp(tf.zeros([2, 3]), 2)).toThrow(/axis must be an integer in \[-2, 1\]/);
    expect(() => logMeanExp(tf.zeros([0, 3]), 0)).toThrow(/is empty/);
  });

  it('leak no tensors, forward or backward', async () => {
    const t = tf.tensor2d([
      [0.5, -1, 2],
      [3, 0.1, Number.NEGATIVE_INFINITY],
    ]);
    for (const f of [(v: tf.Tensor) => logSumExp(v, 1), (v: tf.Tensor) => logMeanExp(v, 0, true)]) {
      await expectNoLeaks(() => tf.dispose(f(t)));
      await expectNoLeaks(() => tf.dispose(tf.grad((v: tf.Tensor) => tf.sum(f(v)) as tf.Scalar)(t)));
    }
    t.dispose();
  });
});
