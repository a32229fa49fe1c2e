import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  gaussianNegativeLogLikelihood,
  gaussianNegativeLogLikelihoodFixedVariance,
  meanSquaredError,
  squaredError,
} from './losses';
import { checkGradients, expectClose, expectNoLeaks } from './testing';

const LOG_2PI = Math.log(2 * Math.PI);
const x = [
  [0, 0.25, 1],
  [1, 0.5, 0],
];
const p = [
  [0.1, 0.3, 0.8],
  [0.6, 0.45, 0.2],
];
const mean = [
  [0.2, -0.5, 1.5],
  [0.7, 0.1, -0.3],
];
const logVar = [
  [0.3, -0.2, 0.1],
  [-0.5, 0.4, 0],
];
const rows = (f: (i: number, j: number) => number) =>
  x.map((row, i) => row.reduce((s, _, j) => s + f(i, j), 0));
const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);

describe('binaryCrossEntropy (from probabilities)', () => {
  it('equals -x log p - (1 - x) log(1 - p) summed over pixels, with every reduction', async () => {
    const perExample = rows((i, j) => -x[i][j] * Math.log(p[i][j]) - (1 - x[i][j]) * Math.log(1 - p[i][j]));
    const t = tf.tensor2d(x);
    const q = tf.tensor2d(p);
    await expectClose(binaryCrossEntropy(t, q, { reduction: 'none' }), perExample);
    await expectClose(binaryCrossEntropy(t, q), sum(perExample) / 2);
    await expectClose(binaryCrossEntropy(t, q, { reduction: 'sum' }), sum(perExample));
  });

  it('agrees with the logits form at p = sigmoid(l), and clips p = 0 or 1 to a finite loss', async () => {
    const logits = tf.tensor2d([
      [-2, 0.3, 4],
      [1.5, -0.7, -3],
    ]);
    const t = tf.tensor2d(x);
    await expectClose(
      binaryCrossEntropy(t, tf.sigmoid(logits), { reduction: 'none' }),
      await binaryCrossEntropyWithLogits(t, logits, { reduction: 'none' }).data(),
      { rtol: 1e-3 },
    );
    const clipped = await binaryCrossEntropy(tf.tensor2d([[1, 0]]), tf.tensor2d([[0, 1]]), {
      reduction: 'none',
      epsilon: 1e-3,
    }).data();
    await expectClose(clipped, [-2 * Math.log(1e-3)], { rtol: 1e-3 });
  });

  it('has the gradient (p - x) / (p (1 - p)) with respect to p', async () => {
    const t = tf.tensor2d(x);
    const q = tf.tensor2d(p);
    const g = tf.grad((v: tf.Tensor) => binaryCrossEntropy(t, v, { reduction: 'sum' }) as tf.Scalar)(q);
    const expected = x.map((row, i) => row.map((xi, j) => (p[i][j] - xi) / (p[i][j] * (1 - p[i][j]))));
    await expectClose(g, expected, { rtol: 1e-3 });
    await checkGradients((v) => binaryCrossEntropy(t, v) as tf.Scalar, [q], { step: 1e-3 });
  });

  it('names the argument on bad input', () => {
    expect(() => binaryCrossEntropy(tf.zeros([2, 3]), tf.zeros([2, 4]))).toThrow(
      /probabilities has shape \[2,4\]/,
    );
    expect(() => binaryCrossEntropy(tf.zeros([2]), tf.zeros([2]), { epsilon: 0.7 })).toThrow(/epsilon/);
    expect(() => binaryCrossEntropy(tf.zeros([2]), tf.zeros([2]), { reduction: 'avg' as never })).toThrow(
      /reduction must be one of none, mean, sum/,
    );
  });
});

describe('squaredError and meanSquaredError', () => {
  it('sum (the SSD) and average the squared differences over pixels', async () => {
    const ssd = rows((i, j) => (mean[i][j] - x[i][j]) ** 2);
    const t = tf.tensor2d(x);
    const m = tf.tensor2d(mean);
    await expectClose(squaredError(t, m, { reduction: 'none' }), ssd);
    await expectClose(squaredError(t, m), sum(ssd) / 2);
    await expectClose(squaredError(t, m, { reduction: 'sum' }), sum(ssd));
    await expectClose(
      meanSquaredError(t, m, { reduction: 'none' }),
      ssd.map((v) => v / 3),
    );
    await expectClose(meanSquaredError(t, m), sum(ssd) / 6);
  });

  it('sums over all non-batch axes of images', async () => {
    const a = tf.ones([2, 2, 2, 1]);
    await expectClose(squaredError(a, tf.zeros([2, 2, 2, 1]), { reduction: 'none' }), [4, 4]);
    await expectClose(meanSquaredError(a, tf.zeros([2, 2, 2, 1]), { reduction: 'none' }), [1, 1]);
  });

  it('has the gradient 2 (xhat - x)', async () => {
    const t = tf.tensor2d(x);
    const g = tf.grad((m: tf.Tensor) => squaredError(t, m, { reduction: 'sum' }) as tf.Scalar)(
      tf.tensor2d(mean),
    );
    await expectClose(
      g,
      mean.map((row, i) => row.map((v, j) => 2 * (v - x[i][j]))),
    );
  });

  it('names the argument on a shape mismatch', () => {
    expect(() => squaredError(tf.zeros([2, 3]), tf.zeros([3, 2]))).toThrow(/predictions has shape \[3,2\]/);
    expect(() => meanSquaredError(tf.zeros([2, 3]), tf.zeros([2]))).toThrow(/targets has shape \[2,3\]/);
  });
});

describe('Gaussian negative log-likelihoods', () => {
  it('with a fixed variance include the constant: a true density', async () => {
    const variance = 0.5;
    const nll = rows(
      (i, j) => 0.5 * LOG_2PI + 0.5 * Math.log(variance) + (x[i][j] - mean[i][j]) ** 2 / (2 * variance),
    );
    const t = tf.tensor2d(x);
    const m = tf.tensor2d(mean);
    await expectClose(gaussianNegativeLogLikelihoodFixedVariance(t, m, { variance, reduction: 'none' }), nll);
    await expectClose(gaussianNegativeLogLikelihoodFixedVariance(t, m, { variance }), sum(nll) / 2);
    // Unit variance: SSD / 2 + n/2 log(2 pi).
    const unit = await gaussianNegativeLogLikelihoodFixedVariance(t, m, { reduction: 'none' }).data();
    const ssd = await squaredError(t, m, { reduction: 'none' }).data();
    await expectClose(
      unit,
      Array.from(ssd, (v) => v / 2 + 1.5 * LOG_2PI),
    );
  });

  it('integrates to one over x (a density, not just a loss)', async () => {
    // Riemann sum of exp(-NLL) over a 1-D grid for N(0.3, 0.7).
    const grid = Array.from({ length: 2001 }, (_, i) => -10 + i * 0.01);
    const nll = gaussianNegativeLogLikelihood(
      tf.tensor2d(grid, [grid.length, 1]),
      tf.fill([grid.length, 1], 0.3),
      tf.scalar(Math.log(0.7)),
      { reduction: 'none' },
    );
    const total = tf.sum(tf.mul(tf.exp(tf.neg(nll)), 0.01));
    await expectClose(total, 1, { rtol: 1e-3 });
  });

  it('with a learned log-variance, per pixel or shared, match the closed form', async () => {
    const perPixel = rows(
      (i, j) => 0.5 * (LOG_2PI + logVar[i][j] + (x[i][j] - mean[i][j]) ** 2 / Math.exp(logVar[i][j])),
    );
    const t = tf.tensor2d(x);
    const m = tf.tensor2d(mean);
    await expectClose(
      gaussianNegativeLogLikelihood(t, m, tf.tensor2d(logVar), { reduction: 'none' }),
      perPixel,
    );
    const shared = -0.4;
    const sharedNll = rows(
      (i, j) => 0.5 * (LOG_2PI + shared + (x[i][j] - mean[i][j]) ** 2 / Math.exp(shared)),
    );
    await expectClose(
      gaussianNegativeLogLikelihood(t, m, tf.scalar(shared), { reduction: 'none' }),
      sharedNll,
    );
    await expectClose(
      gaussianNegativeLogLikelihood(t, m, tf.tensor1d([shared]), { reduction: 'sum' }),
      sum(sharedNll),
    );
    const perColumn = [0.1, -0.3, 0.2];
    const columnNll = rows(
      (i, j) => 0.5 * (LOG_2PI + perColumn[j] + (x[i][j] - mean[i][j]) ** 2 / Math.exp(perColumn[j])),
    );
    await expectClose(gaussianNegativeLogLikelihood(t, m, tf.tensor1d(perColumn)), sum(columnNll) / 2);
    // With logVar = log(sigma^2) it equals the fixed-variance form.
    await expectClose(
      gaussianNegativeLogLikelihood(t, m, tf.scalar(Math.log(0.5))),
      await gaussianNegativeLogLikelihoodFixedVariance(t, m, { variance: 0.5 }).data(),
    );
  });

  it('have the analytic gradients (mean - x) / var and 1/2 - (x - mean)^2 / (2 var)', async () => {
    const t = tf.tensor2d(x);
    const [gMean, gLogVar] = tf.grads(
      (m: tf.Tensor, lv: tf.Tensor) =>
        gaussianNegativeLogLikelihood(t, m, lv, { reduction: 'sum' }) as tf.Scalar,
    )([tf.tensor2d(mean), tf.tensor2d(logVar)]);
    await expectClose(
      gMean,
      mean.map((row, i) => row.map((v, j) => (v - x[i][j]) / Math.exp(logVar[i][j]))),
    );
    await expectClose(
      gLogVar,
      mean.map((row, i) => row.map((v, j) => 0.5 - (x[i][j] - v) ** 2 / (2 * Math.exp(logVar[i][j])))),
    );
    await checkGradients(
      (m, lv) => gaussianNegativeLogLikelihood(t, m, lv) as tf.Scalar,
      [tf.tensor2d(mean), tf.tensor1d([0.2, -0.1, 0.3])],
    );
  });

  it('reject a non-positive or non-finite variance and a logVar that does not broadcast', () => {
    const t = tf.zeros([2, 3]);
    for (const variance of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => gaussianNegativeLogLikelihoodFixedVariance(t, t, { variance })).toThrow(
        /variance must be a finite number > 0/,
      );
    }
    expect(() => gaussianNegativeLogLikelihood(t, t, tf.zeros([2]))).toThrow(
      /logVar has shape \[2\], which does not broadcast to the shape \[2,3\] of targets/,
    );
    expect(() => gaussianNegativeLogLikelihood(t, tf.zeros([2, 2]), t)).toThrow(/mean has shape \[2,2\]/);
  });
});

describe('reconstruction losses', () => {
  it('leak no tensors, forward or backward', async () => {
    const t = tf.tensor2d(x);
    const q = tf.tensor2d(p);
    const lv = tf.tensor2d(logVar);
    const losses = [
      (v: tf.Tensor) => binaryCrossEntropy(t, v, { reduction: 'none' }),
      (v: tf.Tensor) => squaredError(t, v),
      (v: tf.Tensor) => meanSquaredError(t, v, { reduction: 'sum' }),
      (v: tf.Tensor) => gaussianNegativeLogLikelihoodFixedVariance(t, v, { variance: 2 }),
      (v: tf.Tensor) => gaussianNegativeLogLikelihood(t, v, lv),
    ];
    for (const loss of losses) {
      await expectNoLeaks(() => tf.dispose(loss(q)));
      await expectNoLeaks(() => tf.dispose(tf.grad((v: tf.Tensor) => tf.sum(loss(v)) as tf.Scalar)(q)));
    }
    tf.dispose([t, q, lv]);
  });
});
