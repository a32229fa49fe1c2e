import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { kernelMatrix, maximumMeanDiscrepancy, pairwiseSquaredDistances } from './mmd';
import { checkGradients, expectClose, expectNoLeaks } from './testing';

const x = [
  [0.2, -0.5],
  [1.0, 0.3],
  [-0.4, 0.8],
];
const y = [
  [0.0, 0.1],
  [1.5, -1.0],
];

const sq = (a: number[], b: number[]) => a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0);

/** MMD^2 by enumeration. */
function byHand(a: number[][], b: number[][], k: (u: number[], v: number[]) => number, unbiased: boolean) {
  const within = (s: number[][]) => {
    let total = 0;
    let count = 0;
    for (let i = 0; i < s.length; i++)
      for (let j = 0; j < s.length; j++) {
        if (unbiased && i === j) continue;
        total += k(s[i], s[j]);
        count += 1;
      }
    return total / count;
  };
  let cross = 0;
  for (const u of a) for (const v of b) cross += k(u, v) / (a.length * b.length);
  return within(a) + within(b) - 2 * cross;
}

describe('maximumMeanDiscrepancy', () => {
  it('is 1.5 - e^-1 / 2 - e^-4 for x = {0, 1}, y = {2} (RBF, C = 1, biased), by hand', async () => {
    const value = maximumMeanDiscrepancy(tf.tensor2d([[0], [1]]), tf.tensor2d([[2]]), {
      bandwidth: 1,
      estimator: 'biased',
    });
    await expectClose(value, 1.5 - Math.exp(-1) / 2 - Math.exp(-4), { rtol: 1e-5 });
  });

  it('matches enumeration for both kernels and estimators, and sums kernels over scales', async () => {
    const C = 2 * 2;
    const rbf = (u: number[], v: number[]) => Math.exp(-sq(u, v) / C);
    const imq = (u: number[], v: number[]) => C / (C + sq(u, v));
    for (const unbiased of [true, false]) {
      const estimator = unbiased ? 'unbiased' : 'biased';
      await expectClose(
        maximumMeanDiscrepancy(tf.tensor2d(x), tf.tensor2d(y), { estimator }),
        byHand(x, y, rbf, unbiased),
        { rtol: 1e-4, atol: 1e-6 },
      );
      await expectClose(
        maximumMeanDiscrepancy(tf.tensor2d(x), tf.tensor2d(y), { kernel: 'imq', estimator }),
        byHand(x, y, imq, unbiased),
        { rtol: 1e-4, atol: 1e-6 },
      );
    }
    const multi = (u: number[], v: number[]) =>
      [0.5, 2].reduce((s, c) => s + (3 * c) / (3 * c + sq(u, v)), 0);
    await expectClose(
      maximumMeanDiscrepancy(tf.tensor2d(x), tf.tensor2d(y), {
        kernel: 'imq',
        bandwidth: 3,
        scales: [0.5, 2],
      }),
      byHand(x, y, multi, true),
      { rtol: 1e-4, atol: 1e-6 },
    );
    await expectClose(
      pairwiseSquaredDistances(tf.tensor2d(x), tf.tensor2d(y)),
      x.map((u) => y.map((v) => sq(u, v))),
      {
        rtol: 1e-5,
        atol: 1e-6,
      },
    );
    await expectClose(
      kernelMatrix(tf.tensor2d(x), tf.tensor2d(y), { kernel: 'imq' }),
      x.map((u) => y.map((v) => imq(u, v))),
    );
  });

  it('is 0 for identical samples (biased) and separates shifted Gaussians from matching ones', async () => {
    const a = tf.randomNormal([64, 3], 0, 1, 'float32', 1);
    await expectClose(maximumMeanDiscrepancy(a, a, { estimator: 'biased' }), 0, { atol: 1e-6 });
    await expectClose(maximumMeanDiscrepancy(a, a, { estimator: 'biased', kernel: 'imq' }), 0, {
      atol: 1e-6,
    });
    const b = tf.randomNormal([64, 3], 0, 1, 'float32', 2);
    const shifted = tf.add(tf.randomNormal([64, 3], 0, 1, 'float32', 3), 1.5);
    for (const kernel of ['rbf', 'imq'] as const) {
      const same = (await maximumMeanDiscrepancy(a, b, { kernel }).data())[0];
      const apart = (await maximumMeanDiscrepancy(a, shifted, { kernel }).data())[0];
      expect(Math.abs(same)).toBeLessThan(0.05);
      expect(apart).toBeGreaterThan(5 * Math.abs(same) + 0.05);
    }
  });

  it('has gradients that match central differences', async () => {
    for (const kernel of ['rbf', 'imq'] as const) {
      await checkGradients(
        (a, b) => maximumMeanDiscrepancy(a, b, { kernel, bandwidth: 1.5 }),
        [tf.tensor2d(x), tf.tensor2d(y)],
        { step: 1e-2 },
      );
    }
  });

  it('leaks no tensors and names bad input', async () => {
    const a = tf.tensor2d(x);
    const b = tf.tensor2d(y);
    await expectNoLeaks(() => {
      maximumMeanDiscrepancy(a, b).dispose();
      maximumMeanDiscrepancy(a, b, { kernel: 'imq', scales: [0.1, 1, 10] }).dispose();
      kernelMatrix(a, b).dispose();
    });
    expect(() => maximumMeanDiscrepancy(a, tf.zeros([2, 3]))).toThrow(/same number of columns/);
    expect(() => maximumMeanDiscrepancy(a, tf.zeros([1, 2]))).toThrow(/at least 2 rows/);
    expect(() => maximumMeanDiscrepancy(a, b, { kernel: 'linear' as never })).toThrow(/use 'rbf' or 'imq'/);
    expect(() => maximumMeanDiscrepancy(a, b, { bandwidth: 0 })).toThrow(
      /bandwidth must be a finite number > 0/,
    );
    expect(() => maximumMeanDiscrepancy(tf.zeros([3]), b)).toThrow(/x must have shape/);
  });
});
