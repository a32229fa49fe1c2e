import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DiagonalGaussian } from './distributions';
import {
  klDivergenceDiagonalGaussian,
  klDivergenceDiagonalGaussianPerDimension,
  klDivergenceStandardNormal,
  klDivergenceStandardNormalPerDimension,
} from './divergences';
import { checkGradients, expectClose, expectNoLeaks } from './testing';

const muQ = [
  [0.5, -1.2, 0],
  [2, 0.3, -0.4],
];
const lvQ = [
  [0.2, -0.7, 0],
  [1.1, -0.3, 0.5],
];
const muP = [
  [0.1, 0.4, -0.3],
  [1, 0, 0.2],
];
const lvP = [
  [-0.2, 0.3, 0.1],
  [0.4, -0.6, 0],
];
// KL(N(m1, v1) || N(m2, v2)) for one dimension, by hand.
const kl1 = (m1: number, l1: number, m2: number, l2: number) =>
  0.5 * (l2 - l1 + (Math.exp(l1) + (m1 - m2) ** 2) / Math.exp(l2) - 1);
const perDim = (m2: number[][] | null, l2: number[][] | null) =>
  muQ.map((row, i) => row.map((m, j) => kl1(m, lvQ[i][j], m2 ? m2[i][j] : 0, l2 ? l2[i][j] : 0)));
const rowSums = (v: number[][]) => v.map((row) => row.reduce((a, b) => a + b, 0));

describe('KL divergences of diagonal Gaussians', () => {
  it('to N(0, I), per dimension and summed, match the closed form 1/2 (mu^2 + sigma^2 - 1 - log sigma^2)', async () => {
    const expected = perDim(null, null);
    const m = tf.tensor2d(muQ);
    const lv = tf.tensor2d(lvQ);
    await expectClose(klDivergenceStandardNormalPerDimension(m, lv, { reduction: 'none' }), expected);
    await expectClose(
      klDivergenceStandardNormalPerDimension(m, lv),
      expected[0].map((v, j) => (v + expected[1][j]) / 2),
    );
    await expectClose(
      klDivergenceStandardNormalPerDimension(m, lv, { reduction: 'sum' }),
      expected[0].map((v, j) => v + expected[1][j]),
    );
    await expectClose(klDivergenceStandardNormal(m, lv, { reduction: 'none' }), rowSums(expected));
  });

  it('to another diagonal Gaussian match the closed form, and reduce to the prior case at N(0, I)', async () => {
    const expected = perDim(muP, lvP);
    const args = [tf.tensor2d(muQ), tf.tensor2d(lvQ), tf.tensor2d(muP), tf.tensor2d(lvP)] as const;
    await expectClose(klDivergenceDiagonalGaussianPerDimension(...args, { reduction: 'none' }), expected);
    await expectClose(klDivergenceDiagonalGaussian(...args, { reduction: 'none' }), rowSums(expected));
    await expectClose(
      klDivergenceDiagonalGaussian(...args),
      (rowSums(expected)[0] + rowSums(expected)[1]) / 2,
    );
    await expectClose(
      klDivergenceDiagonalGaussian(args[0], args[1], tf.zeros([2, 3]), tf.zeros([2, 3]), {
        reduction: 'none',
      }),
      rowSums(perDim(null, null)),
    );
    // A broadcast prior (one per latent dimension, shared over the batch).
    const sharedMean = [0.1, -0.2, 0.3];
    const sharedLogVar = [0.5, 0, -0.5];
    await expectClose(
      klDivergenceDiagonalGaussian(args[0], args[1], tf.tensor1d(sharedMean), tf.tensor1d(sharedLogVar), {
        reduction: 'none',
      }),
      rowSums(perDim([sharedMean, sharedMean], [sharedLogVar, sharedLogVar])),
    );
    // KL(q || q) = 0.
    await expectClose(
      klDivergenceDiagonalGaussian(args[0], args[1], args[0], args[1], { reduction: 'sum' }),
      0,
    );
  });

  it('give the textbook values log(s2 / s1) + (s1^2 + (m1 - m2)^2) / (2 s2^2) - 1/2 of known pairs', async () => {
    // Per dimension: N(1, 1) || N(0, 1) = 0.5; N(0, 4) || N(0, 1) = (4 - 1 - ln 4) / 2; N(2, 1) || N(1, 4) =
    // ln 2 + 2 / 8 - 1/2. Each value computed by hand from standard deviations, not from the code's form.
    const mean = tf.tensor2d([[1, 0, 2]]);
    const logVar = tf.tensor2d([[0, Math.log(4), 0]]);
    const toPrior = [0.5, (4 - 1 - Math.log(4)) / 2, Math.log(2) + (1 + 1) / (2 * 4) - 0.5];
    const priorMean = tf.tensor2d([[0, 0, 1]]);
    const priorLogVar = tf.tensor2d([[0, 0, Math.log(4)]]);
    await expectClose(klDivergenceStandardNormalPerDimension(mean, logVar, { reduction: 'none' }), [
      [0.5, toPrior[1], 2],
    ]);
    await expectClose(klDivergenceStandardNormal(mean, logVar, { reduction: 'none' }), [2.5 + toPrior[1]]);
    await expectClose(
      klDivergenceDiagonalGaussianPerDimension(mean, logVar, priorMean, priorLogVar, { reduction: 'none' }),
      [toPrior],
    );
    await expectClose(
      klDivergenceDiagonalGaussian(mean, logVar, priorMean, priorLogVar, { reduction: 'none' }),
      [toPrior[0] + toPrior[1] + toPrior[2]],
    );
    tf.dispose([mean, logVar, priorMean, priorLogVar]);
  });

  it('has the analytic gradients with respect to all four parameters', async () => {
    const m1 = 0.4;
    const l1 = -0.3;
    const m2 = -0.2;
    const l2 = 0.5;
    const [g1, g2, g3, g4] = tf.grads(
      (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) =>
        klDivergenceDiagonalGaussian(a, b, c, d) as tf.Scalar,
    )([tf.tensor2d([[m1]]), tf.tensor2d([[l1]]), tf.tensor2d([[m2]]), tf.tensor2d([[l2]])]);
    const v1 = Math.exp(l1);
    const v2 = Math.exp(l2);
    await expectClose(g1, [[(m1 - m2) / v2]]);
    await expectClose(g2, [[0.5 * (v1 / v2 - 1)]]);
    await expectClose(g3, [[-(m1 - m2) / v2]]);
    await expectClose(g4, [[0.5 * (1 - (v1 + (m1 - m2) ** 2) / v2)]]);
    await checkGradients(
      (a, b, c, d) => klDivergenceDiagonalGaussian(a, b, c, d) as tf.Scalar,
      [
        tf.tensor2d([[0.3, -0.5]]),
        tf.tensor2d([[0.2, -0.4]]),
        tf.tensor2d([[-0.1, 0.6]]),
        tf.tensor1d([0.3, -0.2]),
      ],
    );
    // a learned prior shared over the batch: its mean broadcasts, and its gradient sums over the batch
    await checkGradients(
      (a, b, c, d) => klDivergenceDiagonalGaussian(a, b, c, d) as tf.Scalar,
      [
        tf.tensor2d([
          [0.3, -0.5],
          [0.1, 0.2],
        ]),
        tf.tensor2d([
          [0.2, -0.4],
          [0.0, 0.3],
        ]),
        tf.tensor1d([-0.1, 0.6]),
        tf.tensor1d([0.3, -0.2]),
      ],
    );
    await checkGradients(
      (a, b) => tf.sum(klDivergenceStandardNormalPerDimension(a, b, { reduction: 'sum' })) as tf.Scalar,
      [tf.tensor2d([[0.3, -0.5]]), tf.tensor2d([[0.2, -0.4]])],
    );
  });

  it('agrees with a Monte Carlo estimate E_q[log q(z) - log p(z)]', async () => {
    const q = new DiagonalGaussian(tf.tensor2d([[0.8, -0.5]]), tf.tensor2d([[-0.4, 0.6]]));
    const p = new DiagonalGaussian(tf.tensor2d([[0.2, 0.1]]), tf.tensor2d([[0.3, -0.1]]));
    const z = q.sample({ samples: 20000, seed: 11 }); // [20000, 1, 2]
    const estimate = tf.mean(tf.sub(q.logProb(z), p.logProb(z)));
    const exact = (await q.kl(p).data())[0];
    // Standard error here is about 0.01 nats.
    await expectClose(estimate, exact, { atol: 0.05, rtol: 0 });
  });

  it('names the argument on bad input', () => {
    const a = tf.zeros([2, 3]);
    expect(() => klDivergenceStandardNormal(a, tf.zeros([2, 2]))).toThrow(
      /mean has shape \[2,3\] but logVar has shape \[2,2\]/,
    );
    expect(() => klDivergenceStandardNormalPerDimension(a, a, { reduction: 'max' as never })).toThrow(
      /reduction/,
    );
    expect(() => klDivergenceDiagonalGaussian(a, a, tf.zeros([3, 3]), a)).toThrow(
      /priorMean has shape \[3,3\]/,
    );
    expect(() => klDivergenceDiagonalGaussianPerDimension(a, a, a, tf.zeros([4]))).toThrow(/priorLogVar/);
    expect(() => klDivergenceStandardNormal(tf.scalar(0), tf.scalar(0))).toThrow(/\[batch, \.\.\.\]/);
  });

  it('leak no tensors, forward or backward', async () => {
    const [a, b, c, d] = [tf.tensor2d(muQ), tf.tensor2d(lvQ), tf.tensor2d(muP), tf.tensor2d(lvP)];
    const divergences = [
      (m: tf.Tensor) => klDivergenceStandardNormal(m, b),
      (m: tf.Tensor) => klDivergenceStandardNormalPerDimension(m, b, { reduction: 'none' }),
      (m: tf.Tensor) => klDivergenceDiagonalGaussian(m, b, c, d, { reduction: 'sum' }),
      (m: tf.Tensor) => klDivergenceDiagonalGaussianPerDimension(m, b, c, d),
    ];
    for (const divergence of divergences) {
      await expectNoLeaks(() => tf.dispose(divergence(a)));
      await expectNoLeaks(() => tf.dispose(tf.grad((m: tf.Tensor) => tf.sum(divergence(m)) as tf.Scalar)(a)));
    }
    tf.dispose([a, b, c, d]);
  });
});
