import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import {
  evidenceLowerBound,
  importanceWeightedBound,
  logImportanceWeights,
  lossTerms,
  posteriorLogWeights,
} from './bounds';
import { DiagonalGaussian, gaussianLogDensity, standardNormalLogDensity } from './distributions';
import { expectClose, expectNoLeaks } from './testing';

const LOG_2PI = Math.log(2 * Math.PI);

describe('evidenceLowerBound and lossTerms', () => {
  const terms = () => ({ reconstruction: tf.tensor1d([100, 120]), kl: tf.tensor1d([10, 6]) });

  it('give ELBO = -(reconstruction + kl) and the reported loss terms', async () => {
    await expectClose(evidenceLowerBound(terms()), [-110, -126]);
    await expectClose(evidenceLowerBound(terms(), { reduction: 'mean' }), -118);
    const plain = lossTerms(terms());
    await expectClose(plain.reconstruction, 110);
    await expectClose(plain.kl, 8);
    await expectClose(plain.weightedKl, 8);
    await expectClose(plain.total, 118);
    const beta = lossTerms(terms(), { klWeight: 4, reduction: 'sum' });
    await expectClose(beta.weightedKl, 64);
    await expectClose(beta.total, 220 + 64);
    const none = lossTerms(terms(), { klWeight: 0.5, reduction: 'none' });
    await expectClose(none.total, [105, 123]);
  });

  it('apply schedules, including the capacity objective gamma |KL - C| on the batch mean', async () => {
    const warm = lossTerms(terms(), { klWeight: { kind: 'linear', steps: 100 }, step: 25 });
    await expectClose(warm.weightedKl, 2);
    const capacity = { kind: 'capacity' as const, gamma: 10, maxCapacity: 20, steps: 100 };
    // C(50) = 10, mean KL = 8: 10 * |8 - 10| = 20.
    await expectClose(lossTerms(terms(), { klWeight: capacity, step: 50 }).weightedKl, 20);
    await expectClose(lossTerms(terms(), { klWeight: capacity, step: 50, reduction: 'sum' }).weightedKl, 40);
    await expectClose(
      lossTerms(terms(), { klWeight: capacity, step: 50, reduction: 'none' }).weightedKl,
      [0, 40],
    );
  });

  it('name the argument on bad input', () => {
    expect(() => lossTerms({ reconstruction: tf.zeros([2]), kl: tf.zeros([3]) })).toThrow(
      /terms.reconstruction has shape \[2\] but terms.kl has shape \[3\]/,
    );
    expect(() => lossTerms(terms(), { klWeight: { kind: 'cosine', steps: 10 } })).toThrow(/step is required/);
    expect(() => lossTerms(terms(), { klWeight: Number.NaN })).toThrow(/klWeight must be a finite number/);
    expect(() =>
      evidenceLowerBound({ reconstruction: tf.zeros([2, 2]), kl: tf.zeros([2, 2]) } as never),
    ).toThrow(/terms.kl must be per example, shape \[batch\]/);
  });
});

describe('importanceWeightedBound (IWAE)', () => {
  it('is logMeanExp over the samples, the log weights themselves for k = 1, and stable', async () => {
    const logWeights = [
      [-100, -3],
      [-102, -1],
      [-101, -2],
    ];
    const expected = [0, 1].map((b) => {
      const column = logWeights.map((row) => row[b]);
      const max = Math.max(...column);
      return max + Math.log(column.reduce((s, v) => s + Math.exp(v - max), 0) / 3);
    });
    await expectClose(importanceWeightedBound(tf.tensor2d(logWeights)), expected);
    await expectClose(importanceWeightedBound(tf.tensor2d([[-5, -7]])), [-5, -7]);
    await expectClose(importanceWeightedBound(tf.tensor2d([[-1e4], [-1e4]]), { reduction: 'sum' }), -1e4, {
      rtol: 1e-6,
    });
    const g = tf.grad((w: tf.Tensor) => importanceWeightedBound(w, { reduction: 'sum' }) as tf.Scalar)(
      tf.tensor2d([[0], [Math.log(3)]]),
    );
    await expectClose(g, [[0.25], [0.75]]);
  });

  it('on a linear-Gaussian model lies between the ELBO and log p(x), increasing with k', async () => {
    // p(z) = N(0, 1), p(x|z) = N(z, 1): log p(x) = log N(x; 0, 2); the true posterior is N(x/2, 1/2).
    // q(z|x) = N(m, s2) is a poor one, so the bounds are far apart.
    const x = 1.5;
    const m = -0.5;
    const s2 = 0.5;
    const logPx = -0.5 * (LOG_2PI + Math.log(2) + (x * x) / 2);
    const elbo =
      -0.5 * (LOG_2PI + (x - m) ** 2 + s2) -
      0.5 * (LOG_2PI + m * m + s2) +
      0.5 * (1 + LOG_2PI + Math.log(s2));
    const replicas = 2000;
    const q = new DiagonalGaussian(tf.fill([replicas, 1], m), tf.fill([replicas, 1], Math.log(s2)));
    const data = tf.fill([replicas, 1], x);
    // One set of 64 samples per replica; the bound with k samples uses the first k of them.
    const logWeights = tf.tidy(() => {
      const z = q.sample({ samples: 64, seed: 100 }); // [64, replicas, 1]
      return logImportanceWeights({
        logLikelihood: gaussianLogDensity(z, data, tf.scalar(0), { eventRank: 1 }),
        logPrior: standardNormalLogDensity(z, { eventRank: 1 }),
        logPosterior: q.logProb(z),
      });
    });
    expect(logWeights.shape).toEqual([64, replicas]);
    const bounds: number[] = [];
    for (const k of [1, 4, 16, 64]) {
      const bound = tf.tidy(() =>
        importanceWeightedBound(tf.slice(logWeights, [0, 0], [k, replicas]), { reduction: 'mean' }),
      );
      bounds.push((await bound.data())[0]);
      bound.dispose();
    }
    logWeights.dispose();
    // Expected about -3.38, -2.51, -2.10, -1.93 (log p(x) = -1.83), with Monte Carlo errors of 0.01 to 0.04.
    expect(Math.abs(bounds[0] - elbo)).toBeLessThan(0.15);
    for (let i = 1; i < bounds.length; i++) expect(bounds[i]).toBeGreaterThan(bounds[i - 1] + 0.08);
    expect(bounds[3]).toBeLessThan(logPx + 0.03);
    expect(bounds[3]).toBeGreaterThan(elbo + 1);
  });

  it('names the argument on bad input, k < 1 included', () => {
    expect(() => importanceWeightedBound(tf.zeros([0, 3]))).toThrow(
      /k \(the first axis of logWeights\) must be >= 1, got 0/,
    );
    expect(() => importanceWeightedBound(tf.zeros([3]))).toThrow(/logWeights must have shape \[k, batch\]/);
    expect(() =>
      logImportanceWeights({
        logLikelihood: tf.zeros([2, 3]),
        logPrior: tf.zeros([2, 3]),
        logPosterior: tf.zeros([3]),
      }),
    ).toThrow(/logPosterior has shape \[3\]/);
  });
});

describe('bounds', () => {
  it('leak no tensors, forward or backward', async () => {
    const terms = { reconstruction: tf.tensor1d([100, 120]), kl: tf.tensor1d([10, 6]) };
    const logWeights = tf.tensor2d([
      [-3, -1],
      [-2, -4],
    ]);
    await expectNoLeaks(() => tf.dispose(evidenceLowerBound(terms)));
    await expectNoLeaks(() => tf.dispose(Object.values(lossTerms(terms, { klWeight: 2 }))));
    await expectNoLeaks(() =>
      tf.dispose(
        Object.values(
          lossTerms(terms, {
            klWeight: { kind: 'capacity', gamma: 5, maxCapacity: 3, steps: 4 },
            step: 1,
            reduction: 'sum',
          }),
        ),
      ),
    );
    await expectNoLeaks(() =>
      tf.dispose(
        logImportanceWeights({ logLikelihood: logWeights, logPrior: logWeights, logPosterior: logWeights }),
      ),
    );
    await expectNoLeaks(() => tf.dispose(importanceWeightedBound(logWeights)));
    await expectNoLeaks(() =>
      tf.dispose(
        tf.grad((w: tf.Tensor) => importanceWeightedBound(w, { reduction: 'mean' }) as tf.Scalar)(logWeights),
      ),
    );
    tf.dispose([terms.reconstruction, terms.kl, logWeights]);
  });
});

describe('posteriorLogWeights', () => {
  // A conditional linear-Gaussian model: p(z) = N(0, 1), p(x|z, y) = N(x; z + y, 1) on one value, q(z|x, y) =
  // N((x - y) / 2, 1/2), the exact posterior, so every log weight equals log p(x|y) = log N(x; y, 2).
  const model = {
    latentDim: 1,
    inputSize: 1,
    usesLabels: true,
    seen: [] as number[][],
    encode(x: tf.Tensor, labels?: ArrayLike<number> | tf.Tensor) {
      const y = tf.reshape(tf.tensor1d(Array.from(labels as ArrayLike<number>)), [-1, 1]);
      return {
        mean: tf.div(tf.sub(x, y), 2) as tf.Tensor2D,
        logVar: tf.fill(x.shape as [number, number], Math.log(0.5)) as tf.Tensor2D,
      };
    },
    elboTerms: () => {
      throw new Error('not used');
    },
    logLikelihood(x: tf.Tensor, z: tf.Tensor, labels?: ArrayLike<number> | tf.Tensor) {
      const values = Array.from(labels as ArrayLike<number>);
      model.seen.push(values);
      const mean = tf.add(z, tf.reshape(tf.tensor1d(values), [-1, 1]));
      return gaussianLogDensity(x, mean, tf.zerosLike(mean)) as tf.Tensor1D;
    },
  };

  it('gives log p(x|z) + log p(z) - log q(z|x) per sample and example, with the labels tiled like x', async () => {
    const x = tf.tensor2d([[0.5], [3], [-1]]);
    const labels = [0, 2, 1];
    const logWeights = await expectNoLeaks(
      () => posteriorLogWeights(model, x, { importanceSamples: 4, seed: 1, labels }),
      1,
    );
    expect(logWeights.shape).toEqual([4, 3]);
    const exact = [0.5, 1, -2].map((d) => -0.5 * (LOG_2PI + Math.log(2) + (d * d) / 2));
    await expectClose(logWeights, [exact, exact, exact, exact], { atol: 1e-5 });
    expect(model.seen.at(-1)).toEqual([0, 2, 1, 0, 2, 1, 0, 2, 1, 0, 2, 1]);
    tf.dispose([x, logWeights]);
  });

  it('uses the model logPrior when it has one, and checks what the model returns', () => {
    const x = tf.tensor2d([[0.5]]);
    const withPrior = { ...model, logPrior: (z: tf.Tensor) => tf.fill([z.shape[0]], -1) as tf.Tensor1D };
    const weights = posteriorLogWeights(withPrior, x, { importanceSamples: 2, labels: [0] });
    expect(weights.shape).toEqual([2, 1]);
    const broken = { ...model, logLikelihood: () => tf.zeros([5]) as tf.Tensor1D };
    expect(() => posteriorLogWeights(broken, x, { importanceSamples: 2, labels: [0] })).toThrow(
      /posteriorLogWeights: logLikelihood returned shape \[5\], expected \[2\]/,
    );
    expect(() => posteriorLogWeights(model, x, { importanceSamples: 0 })).toThrow(
      /importanceSamples \(k\) must be an integer >= 1/,
    );
    tf.dispose([x, weights]);
  });
});

describe('DiagonalGaussian.sampleWithLogProb', () => {
  it('gives the draws and their log-density, equal to logProb(z), exact where the std is tiny', async () => {
    const q = new DiagonalGaussian(
      tf.tensor2d([
        [1, -2],
        [1000, 0],
      ]),
      tf.tensor2d([
        [0, 1],
        [-30, -1],
      ]),
    );
    const { z, logProb } = q.sampleWithLogProb({ samples: 3, seed: 5 });
    expect(z.shape).toEqual([3, 2, 2]);
    expect(logProb.shape).toEqual([3, 2]);
    const direct = (await q.logProb(z).array()) as number[][];
    const fromNoise = (await logProb.array()) as number[][];
    for (let k = 0; k < 3; k++) expect(fromNoise[k][0]).toBeCloseTo(direct[k][0], 4);
    // The second example's first std is 3e-7 next to a mean of 1000: in float32 z - mean is 0, so logProb(z) drops
    // the eps^2 / 2 term; the density from the noise keeps it (and stays finite).
    for (let k = 0; k < 3; k++) expect(Number.isFinite(fromNoise[k][1])).toBe(true);
    tf.dispose([z, logProb, q.mean, q.logVar]);
  });
});
