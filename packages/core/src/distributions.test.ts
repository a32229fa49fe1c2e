import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DiagonalGaussian, gaussianLogDensity, standardNormalLogDensity } from './distributions';
import { checkGradients, expectClose, expectNoLeaks, maxAbsDifference } from './testing';

const LOG_2PI = Math.log(2 * Math.PI);
const logNormal = (x: number, m: number, lv: number) => -0.5 * (LOG_2PI + lv + (x - m) ** 2 / Math.exp(lv));
const x = [
  [0.3, -1.1],
  [2.0, 0.4],
];
const mean = [
  [0.1, -0.5],
  [1.2, 0.0],
];
const logVar = [
  [0.2, -0.4],
  [0.5, 0.1],
];
const expected = x.map((row, i) => row.reduce((s, v, j) => s + logNormal(v, mean[i][j], logVar[i][j]), 0));

describe('gaussianLogDensity and standardNormalLogDensity', () => {
  it('sum log N(x_j; mean_j, exp(logVar_j)) over each example, with every reduction', async () => {
    const args = [tf.tensor2d(x), tf.tensor2d(mean), tf.tensor2d(logVar)] as const;
    await expectClose(gaussianLogDensity(...args), expected);
    await expectClose(gaussianLogDensity(...args, { reduction: 'mean' }), (expected[0] + expected[1]) / 2);
    await expectClose(gaussianLogDensity(...args, { reduction: 'sum' }), expected[0] + expected[1]);
    await expectClose(
      standardNormalLogDensity(args[0]),
      x.map((row) => row.reduce((s, v) => s + logNormal(v, 0, 0), 0)),
    );
  });

  it('broadcast parameters over leading sample axes with eventRank', async () => {
    const samples = tf.stack([tf.tensor2d(x), tf.tensor2d(mean)]); // [2, batch 2, 2]
    const density = gaussianLogDensity(samples, tf.tensor2d(mean), tf.tensor2d(logVar), { eventRank: 1 });
    expect(density.shape).toEqual([2, 2]);
    const atMean = logVar.map((row) => row.reduce((s, lv) => s + logNormal(0, 0, lv), 0));
    await expectClose(density, [expected, atMean]);
    const prior = standardNormalLogDensity(samples, { eventRank: 1 });
    expect(prior.shape).toEqual([2, 2]);
    expect(standardNormalLogDensity(samples).shape).toEqual([2]);
  });

  it('have the analytic gradients -(x - mean) / var, (x - mean) / var, -1/2 + (x - mean)^2 / (2 var)', async () => {
    const [gx, gm, gl] = tf.grads(
      (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        gaussianLogDensity(a, b, c, { reduction: 'sum' }) as tf.Scalar,
    )([tf.tensor2d(x), tf.tensor2d(mean), tf.tensor2d(logVar)]);
    const d = x.map((row, i) => row.map((v, j) => (v - mean[i][j]) / Math.exp(logVar[i][j])));
    await expectClose(
      gx,
      d.map((row) => row.map((v) => -v)),
    );
    await expectClose(gm, d);
    await expectClose(
      gl,
      x.map((row, i) => row.map((v, j) => -0.5 + (v - mean[i][j]) ** 2 / (2 * Math.exp(logVar[i][j])))),
    );
    await checkGradients(
      (z) => standardNormalLogDensity(z, { reduction: 'mean' }) as tf.Scalar,
      [tf.tensor2d(x)],
    );
  });

  it('differentiate through broadcast parameters (k samples against [batch, d] mean and logVar)', async () => {
    const samples = tf.stack([tf.tensor2d(x), tf.tensor2d(mean), tf.tensor2d(logVar)]); // [3, batch 2, 2]
    await checkGradients(
      (s, m, lv) => gaussianLogDensity(s, m, lv, { eventRank: 1, reduction: 'sum' }) as tf.Scalar,
      [samples, tf.tensor2d(mean), tf.tensor2d(logVar)],
    );
    // IWAE's use: log q(z) of reparameterized samples, differentiated with respect to the posterior's parameters
    const g = tf.grads((m: tf.Tensor, lv: tf.Tensor) => {
      const q = new DiagonalGaussian(m, lv);
      return tf.sum(q.logProb(q.sample({ samples: 4, seed: 1 }))) as tf.Scalar;
    })([tf.tensor2d(mean), tf.tensor2d(logVar)]);
    expect(g.map((t) => t.shape)).toEqual([
      [2, 2],
      [2, 2],
    ]);
  });

  it('name the argument on bad input', () => {
    const a = tf.zeros([2, 3]);
    expect(() => gaussianLogDensity(a, tf.zeros([3, 3]), a)).toThrow(/mean has shape \[3,3\]/);
    expect(() => gaussianLogDensity(a, a, tf.zeros([2]))).toThrow(/logVar has shape \[2\]/);
    expect(() => standardNormalLogDensity(a, { eventRank: 3 })).toThrow(
      /eventRank must be an integer between 0/,
    );
  });
});

describe('DiagonalGaussian', () => {
  it('samples by reparameterization with the right moments, reproducibly from a seed', async () => {
    const q = new DiagonalGaussian(tf.tensor2d([[1.5, -0.5]]), tf.tensor2d([[Math.log(4), Math.log(0.25)]]));
    const z = q.sample({ samples: 5000, seed: 7 });
    expect(z.shape).toEqual([5000, 1, 2]);
    expect(maxAbsDifference(await z.data(), await q.sample({ samples: 5000, seed: 7 }).data())).toBe(0);
    const { mean, variance } = tf.moments(z, 0);
    await expectClose(mean, [[1.5, -0.5]], { atol: 0.08, rtol: 0 });
    await expectClose(variance, [[4, 0.25]], { rtol: 0.08, atol: 0 });
    expect(q.sample({ seed: 1 }).shape).toEqual([1, 2]);
    await expectClose(q.sample({ seed: 1, temperature: 0 }), [[1.5, -0.5]]);
    await expectClose(q.variance(), [[4, 0.25]]);
    await expectClose(q.standardDeviation(), [[2, 0.5]]);
  });

  it('passes gradients through samples to mean (1) and logVar (eps sigma / 2)', async () => {
    const [gm, gl] = tf.grads(
      (m: tf.Tensor, l: tf.Tensor) => tf.sum(new DiagonalGaussian(m, l).sample({ seed: 3 })) as tf.Scalar,
    )([tf.tensor2d([[0.1, 0.2]]), tf.tensor2d([[0.3, -0.4]])]);
    await expectClose(gm, [[1, 1]]);
    const z = await new DiagonalGaussian(tf.tensor2d([[0.1, 0.2]]), tf.tensor2d([[0.3, -0.4]]))
      .sample({ seed: 3 })
      .data();
    await expectClose(gl, [[0.5 * (z[0] - 0.1), 0.5 * (z[1] - 0.2)]]);
  });

  it('logProb, entropy and kl match closed forms; entropy matches -E[log q] by Monte Carlo', async () => {
    const q = new DiagonalGaussian(tf.tensor2d(mean), tf.tensor2d(logVar));
    await expectClose(q.logProb(tf.tensor2d(x)), expected);
    const entropy = logVar.map((row) => row.reduce((s, lv) => s + 0.5 * (1 + LOG_2PI + lv), 0));
    await expectClose(q.entropy(), entropy);
    await expectClose(q.entropy({ reduction: 'sum' }), entropy[0] + entropy[1]);
    const kl = mean.map((row, i) =>
      row.reduce((s, m, j) => s + 0.5 * (m * m + Math.exp(logVar[i][j]) - 1 - logVar[i][j]), 0),
    );
    await expectClose(q.kl(), kl);
    await expectClose(q.kl(q), [0, 0]);
    const z = q.sample({ samples: 20000, seed: 5 });
    await expectClose(tf.neg(tf.mean(q.logProb(z), 0)), entropy, { atol: 0.05, rtol: 0 });
  });

  it('names the argument on bad input', () => {
    expect(() => new DiagonalGaussian(tf.zeros([2, 3]), tf.zeros([3, 2]))).toThrow(
      /logVar has shape \[3,2\]/,
    );
    const q = new DiagonalGaussian(tf.zeros([2, 3]), tf.zeros([2, 3]));
    expect(() => q.sample({ samples: 0 })).toThrow(/samples must be a positive integer/);
    expect(() => q.sample({ temperature: -1 })).toThrow(/temperature must be >= 0/);
    expect(() => q.logProb(tf.zeros([2, 4]))).toThrow(/z must have shape \[2,3\] or \[samples, 2,3\]/);
  });

  it('leaks no tensors, nor do the densities', async () => {
    const [a, m, l] = [tf.tensor2d(x), tf.tensor2d(mean), tf.tensor2d(logVar)];
    const q = new DiagonalGaussian(m, l);
    const other = new DiagonalGaussian(a, l);
    await expectNoLeaks(() => tf.dispose(gaussianLogDensity(a, m, l)));
    await expectNoLeaks(() => tf.dispose(standardNormalLogDensity(a, { reduction: 'mean' })));
    await expectNoLeaks(() =>
      tf.dispose(
        tf.grad((v: tf.Tensor) => gaussianLogDensity(a, v, l, { reduction: 'sum' }) as tf.Scalar)(m),
      ),
    );
    await expectNoLeaks(() =>
      tf.dispose([
        q.sample({ seed: 1, temperature: 0.5 }),
        q.sample({ samples: 3 }),
        q.logProb(a),
        q.entropy({ reduction: 'mean' }),
        q.kl(),
        q.kl(other),
        q.variance(),
        q.standardDeviation(),
      ]),
    );
    await expectNoLeaks(() =>
      tf.dispose(
        tf.grad((v: tf.Tensor) => tf.sum(new DiagonalGaussian(m, v).sample({ seed: 2 })) as tf.Scalar)(l),
      ),
    );
    q.dispose();
    tf.dispose(a);
  });
});
