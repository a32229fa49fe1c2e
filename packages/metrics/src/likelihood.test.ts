import * as tf from '@tensorflow/tfjs-core';
import {
  type ElboTerms,
  klDivergenceStandardNormal,
  type ProbabilisticAutoencoder,
  Random,
  reparameterize,
  tensorSource,
} from '@vae/core';
import { expectNoLeaks } from '@vae/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { importanceSampledLogLikelihood } from './likelihood';

// Probabilistic PCA: z ~ N(0, I_d), x = z W + b + noise, noise ~ N(0, sigma^2 I_D), with W of shape [d, D] (rows
// span the signal subspace). Then p(x) = N(b, W^T W + sigma^2 I) exactly, and the posterior p(z|x) is Gaussian with
// covariance S = (I + W W^T / sigma^2)^-1 and mean S W (x - b) / sigma^2.

type Rows = number[][];

const transpose = (a: Rows): Rows => a[0].map((_, j) => a.map((r) => r[j]));
const multiply = (a: Rows, b: Rows): Rows =>
  a.map((r) => b[0].map((_, j) => r.reduce((sum, value, k) => sum + value * b[k][j], 0)));

function cholesky(a: Rows): Rows {
  const n = a.length;
  const l = a.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i][j];
      for (let k = 0; k < j; k++) sum -= l[i][k] * l[j][k];
      l[i][j] = i === j ? Math.sqrt(sum) : sum / l[j][j];
    }
  }
  return l;
}

function inverse(a: Rows): Rows {
  const n = a.length;
  const m = a.map((r, i) => [...r, ...r.map((_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
    [m[c], m[pivot]] = [m[pivot], m[c]];
    const p = m[c][c];
    for (let j = 0; j < 2 * n; j++) m[c][j] /= p;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c];
      for (let j = 0; j < 2 * n; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((r) => r.slice(n));
}

/** log N(x; mean, covariance) in float64 via a Cholesky factor. */
function gaussianLogDensity(x: number[], mean: number[], covariance: Rows): number {
  const l = cholesky(covariance);
  const n = x.length;
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let sum = x[i] - mean[i];
    for (let k = 0; k < i; k++) sum -= l[i][k] * y[k];
    y[i] = sum / l[i][i];
  }
  const logDet = 2 * l.reduce((sum, r, i) => sum + Math.log(r[i]), 0);
  return -0.5 * (n * Math.log(2 * Math.PI) + logDet + y.reduce((sum, v) => sum + v * v, 0));
}

interface Ppca {
  model: ProbabilisticAutoencoder;
  /** Exact log p(x) per example. */
  exact: (x: Rows) => number[];
  /** ELBO per example under the model's q, in closed form. */
  elbo: (x: Rows) => number[];
  dispose: () => void;
}

/**
 * A PPCA model with a Gaussian q(z|x) whose mean is the exact posterior mean plus `meanShift` and whose variances
 * are the exact posterior's marginal variances times `varianceScale`. With W's rows orthogonal, meanShift 0 and
 * varianceScale 1, q is the exact posterior.
 */
function ppca(weights: Rows, bias: number[], sigma: number, meanShift = 0, varianceScale = 1): Ppca {
  const d = weights.length;
  const dimension = bias.length;
  const noise = sigma * sigma;
  const precision = multiply(weights, transpose(weights)).map((r, i) =>
    r.map((v, j) => v / noise + (i === j ? 1 : 0)),
  );
  const posteriorCovariance = inverse(precision);
  // Row-vector form: mean = (x - b) P + shift, with P = W^T S / sigma^2 of shape [D, d].
  const projection = multiply(transpose(weights), posteriorCovariance).map((r) => r.map((v) => v / noise));
  const variances = posteriorCovariance.map((r, i) => r[i] * varianceScale);
  const w = tf.tensor2d(weights);
  const b = tf.tensor1d(bias);
  const p = tf.tensor2d(projection);
  const logVar = tf.tensor1d(variances.map(Math.log));
  const constant = -0.5 * dimension * Math.log(2 * Math.PI * noise);

  const logLikelihood = (x: tf.Tensor, z: tf.Tensor): tf.Tensor1D =>
    tf.tidy(() => {
      const residual = tf.sub(
        tf.reshape(x, [x.shape[0], dimension]),
        tf.add(tf.matMul(z as tf.Tensor2D, w), b),
      );
      return tf.add(constant, tf.mul(-0.5 / noise, tf.sum(tf.square(residual), 1))) as tf.Tensor1D;
    });
  const encode = (x: tf.Tensor) =>
    tf.tidy(() => ({
      mean: tf.add(tf.matMul(tf.sub(tf.reshape(x, [x.shape[0], dimension]), b), p), meanShift) as tf.Tensor2D,
      logVar: tf.tile(tf.reshape(logVar, [1, d]), [x.shape[0], 1]) as tf.Tensor2D,
    }));
  const model: ProbabilisticAutoencoder = {
    latentDim: d,
    inputSize: dimension,
    encode,
    logLikelihood,
    elboTerms: (x, options = {}): ElboTerms =>
      tf.tidy(() => {
        const { mean, logVar: lv } = encode(x);
        const z = reparameterize(mean, lv, { seed: options.seed });
        return {
          reconstruction: tf.neg(logLikelihood(x, z)) as tf.Tensor1D,
          kl: klDivergenceStandardNormal(mean, lv, { reduction: 'none' }) as tf.Tensor1D,
        };
      }),
  };

  const covariance = multiply(transpose(weights), weights).map((r, i) =>
    r.map((v, j) => v + (i === j ? noise : 0)),
  );
  const posteriorMean = (x: number[]) =>
    multiply([x.map((v, i) => v - bias[i])], projection)[0].map((v) => v + meanShift);
  return {
    model,
    exact: (x) => x.map((r) => gaussianLogDensity(r, bias, covariance)),
    elbo: (x) =>
      x.map((r) => {
        const mean = posteriorMean(r);
        const reconstruction = multiply([mean], weights)[0];
        let squared = 0;
        for (let i = 0; i < dimension; i++) squared += (r[i] - reconstruction[i] - bias[i]) ** 2;
        for (let j = 0; j < d; j++) squared += variances[j] * weights[j].reduce((s, v) => s + v * v, 0);
        let kl = 0;
        for (let j = 0; j < d; j++) kl += 0.5 * (mean[j] ** 2 + variances[j] - 1 - Math.log(variances[j]));
        return constant - (0.5 * squared) / noise - kl;
      }),
    dispose: () => tf.dispose([w, b, p, logVar]),
  };
}

/** Examples drawn from the PPCA model with a seeded Box-Muller generator. */
function sample(weights: Rows, bias: number[], sigma: number, count: number, seed: number): Rows {
  const random = new Random(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  return Array.from({ length: count }, () => {
    const z = weights.map(() => normal());
    return bias.map((b, i) => b + z.reduce((s, v, j) => s + v * weights[j][i], 0) + sigma * normal());
  });
}

const mean = (values: ArrayLike<number>) => Array.from(values).reduce((a, b) => a + b, 0) / values.length;

describe('importanceSampledLogLikelihood on probabilistic PCA', () => {
  const bias = [0.5, -1, 0.25, 2];
  const sigma = 0.5;
  const orthogonal = [
    [1.2, 0.6, -0.6, 0.3],
    [0.5, -1, 0.4, 0.8],
  ];
  const oblique = [
    [1.5, 0.8, -0.4, 0.2],
    [0.9, 1.1, 0.3, -0.7],
  ];
  const exactModel = ppca(orthogonal, bias, sigma);
  const imperfectModel = ppca(oblique, bias, sigma, 0.1, 1.5);
  const exactData = sample(orthogonal, bias, sigma, 48, 1);
  const obliqueData = sample(oblique, bias, sigma, 48, 2);
  const exactTensor = tf.tensor2d(exactData);
  const obliqueTensor = tf.tensor2d(obliqueData);
  afterAll(() => {
    exactModel.dispose();
    imperfectModel.dispose();
    tf.dispose([exactTensor, obliqueTensor]);
  });

  // The calls below share a few tensor shapes on purpose: backends that compile a program per shape (WebGL) then
  // reuse them. Small k is averaged over 16 independent draws by running over 16 copies of the data; large k is
  // drawn in chunks of 100 samples per call.
  const estimate = async (model: ProbabilisticAutoencoder, data: tf.Tensor2D, samples: number, seed = 0) => {
    const copies = samples < 100 ? 16 : 1;
    const repeated = tf.tile(data, [copies, 1]);
    try {
      return await importanceSampledLogLikelihood(model, tensorSource(repeated), {
        importanceSamples: samples,
        seed,
        batchSize: data.shape[0] * copies,
        rowsPerCall: samples < 100 ? samples * data.shape[0] * copies : 100 * data.shape[0],
      });
    } finally {
      repeated.dispose();
    }
  };

  it('is exact for every k when q is the true posterior', async () => {
    const perExample = exactModel.exact(exactData);
    for (const samples of [1, 100]) {
      const result = await expectNoLeaks(() => estimate(exactModel.model, exactTensor, samples));
      expect(result.logLikelihood).toBeCloseTo(mean(perExample), 3);
      for (let i = 0; i < result.examples; i++) {
        expect(result.perExample[i]).toBeCloseTo(perExample[i % perExample.length], 3);
      }
      expect(result.effectiveSampleSize).toBeCloseTo(samples, 1);
    }
  });

  it('rises towards the exact log p(x) as k grows, from below, and stays above the ELBO', async () => {
    const exact = mean(imperfectModel.exact(obliqueData));
    const elbo = mean(imperfectModel.elbo(obliqueData));
    const gaps: number[] = [];
    // k = 2000 runs as 20 calls of 100 samples: chunking combines correctly.
    for (const samples of [1, 10, 100, 2000]) {
      gaps.push(exact - (await estimate(imperfectModel.model, obliqueTensor, samples)).logLikelihood);
    }
    // With k = 1 the estimate is an unbiased estimate of the ELBO, which lies well below log p(x) for this q.
    expect(exact - elbo).toBeGreaterThan(0.7);
    expect(Math.abs(gaps[0] - (exact - elbo))).toBeLessThan(0.3);
    // Jensen: below log p(x) in expectation, and closer as k grows.
    expect(gaps[1]).toBeGreaterThan(0);
    expect(gaps[1]).toBeLessThan(gaps[0] / 5);
    expect(Math.abs(gaps[2])).toBeLessThan(0.05);
    expect(Math.abs(gaps[3])).toBeLessThan(Math.abs(gaps[1]));
    expect(Math.abs(gaps[3])).toBeLessThan(0.015);
    expect(exact - gaps[3]).toBeGreaterThan(elbo);
  });

  it('is repeatable for a seed and leaks nothing', async () => {
    const a = await expectNoLeaks(() => estimate(imperfectModel.model, obliqueTensor, 100, 3));
    const b = await estimate(imperfectModel.model, obliqueTensor, 100, 3);
    expect(b.perExample).toEqual(a.perExample);
    expect(a.standardError).toBeGreaterThan(0);
    expect(a.effectiveSampleSize).toBeGreaterThan(1);
    expect(a.effectiveSampleSize).toBeLessThan(100);
  });

  it('rejects bad options and mismatched data', async () => {
    const source = tensorSource(exactTensor);
    await expect(
      importanceSampledLogLikelihood(exactModel.model, source, { importanceSamples: 0 }),
    ).rejects.toThrow(/importanceSamples \(k\) must be an integer >= 1/);
    await expect(
      importanceSampledLogLikelihood(exactModel.model, source, { batchSize: 1.5 }),
    ).rejects.toThrow(/batchSize/);
    const empty = { size: 0, itemShape: [4], batch: () => tf.zeros([0, 4]) };
    await expect(importanceSampledLogLikelihood(exactModel.model, empty)).rejects.toThrow(/empty/);
    const wide = tf.zeros([2, 5]);
    await expect(importanceSampledLogLikelihood(exactModel.model, tensorSource(wide))).rejects.toThrow(
      /examples have shape \[5\] \(5 values\) but \[4\] \(4 values\) are expected/,
    );
    wide.dispose();
  });
});

describe('importanceSampledLogLikelihood as a long operation', () => {
  const model = ppca(
    [
      [1.2, 0.6, -0.6, 0.3],
      [0.5, -1, 0.4, 0.8],
    ],
    [0.5, -1, 0.25, 2],
    0.5,
  );
  afterAll(() => model.dispose());

  it('takes a tensor or bare values, reports the samples drawn and stops on an aborted signal', async () => {
    const x = tf.tensor2d(sample([[1, 0, 0, 0]], [0, 0, 0, 0], 1, 6, 3));
    const seen: Array<[number, number]> = [];
    const options = { importanceSamples: 40, batchSize: 4, rowsPerCall: 80, seed: 1 };
    const fromTensor = await importanceSampledLogLikelihood(model.model, x, {
      ...options,
      onProgress: ({ done, total }) => seen.push([done, total]),
    });
    // Batches of 4 and 2 examples, 20 samples per call for the first (80 rows), 40 for the second.
    expect(seen).toEqual([
      [80, 240],
      [160, 240],
      [240, 240],
    ]);
    const fromValues = await importanceSampledLogLikelihood(model.model, await x.data(), options);
    expect(fromValues.perExample).toEqual(fromTensor.perExample);
    // The deprecated name of k still works, for one minor version.
    const { importanceSamples, ...rest } = options;
    const oldName = await importanceSampledLogLikelihood(model.model, x, {
      ...rest,
      samples: importanceSamples,
    });
    expect(oldName.perExample).toEqual(fromTensor.perExample);
    expect([oldName.importanceSamples, oldName.samples]).toEqual([40, 40]);
    const controller = new AbortController();
    const run = expectNoLeaks(() =>
      importanceSampledLogLikelihood(model.model, x, {
        ...options,
        signal: controller.signal,
        onProgress: () => controller.abort(),
      }).catch((error: Error) => error.name),
    );
    await expect(run).resolves.toBe('AbortError');
    x.dispose();
  });
});
