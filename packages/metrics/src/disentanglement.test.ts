import * as tf from '@tensorflow/tfjs-core';
import type { FactorSource, RepresentationFunction } from '@vae/core';
import { expectNoLeaks } from '@vae/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import {
  betaVaeScore,
  dciFromCodes,
  dciScores,
  factorVaeScore,
  mutualInformationGap,
  sapFromCodes,
  sapScore,
} from './disentanglement';

// Three factors with 3, 4 and 5 values, rendered as the concatenation of their one-hot vectors (12 values).
const factorSizes = [3, 4, 5];
const width = factorSizes.reduce((a, b) => a + b, 0);
const source: FactorSource = {
  factorSizes,
  factorNames: ['colour', 'shape', 'size'],
  itemShape: [width],
  render: (factors) =>
    tf.tidy(() => {
      const values = new Float32Array(factors.length * width);
      factors.forEach((row, i) => {
        let offset = 0;
        factorSizes.forEach((size, k) => {
          values[i * width + offset + row[k]] = 1;
          offset += size;
        });
      });
      return tf.tensor2d(values, [factors.length, width]);
    }),
};

// The true factors as floats, permuted (code j holds factor permutation[j]) and rescaled: a linear read-out of the
// one-hot rendering.
const permutation = [2, 0, 1];
const scales = [1.7, -0.6, 2.5];
const readout = new Float32Array(width * 3);
{
  let offset = 0;
  factorSizes.forEach((size, k) => {
    const code = permutation.indexOf(k);
    for (let v = 0; v < size; v++) readout[(offset + v) * 3 + code] = v * scales[code];
    offset += size;
  });
}
const readoutTensor = tf.tensor2d(readout, [width, 3]);
const trueFactors: RepresentationFunction = (x) => tf.matMul(x as tf.Tensor2D, readoutTensor);

/** Codes unrelated to the input: seeded noise, a different draw per call. */
function noiseEncoder(): RepresentationFunction {
  let calls = 0;
  return (x) => tf.randomNormal([x.shape[0], 3], 0, 1, 'float32', 1000 + calls++);
}

afterAll(() => readoutTensor.dispose());

// Fewer, larger calls than the default keep the tests fast.
const small = { seed: 1, rowsPerCall: 4096 };

describe('betaVaeScore', () => {
  const sizes = { ...small, batchSize: 16, trainPoints: 300, evalPoints: 200 };

  it('scores the true factors near 1, without leaks', async () => {
    const result = await expectNoLeaks(() => betaVaeScore(source, trueFactors, sizes));
    expect(result.trainAccuracy).toBeGreaterThan(0.98);
    expect(result.evalAccuracy).toBeGreaterThan(0.98);
    expect(result.score).toBe(result.evalAccuracy);
  });

  it('scores a random encoder near chance (1/3)', async () => {
    const result = await betaVaeScore(source, noiseEncoder(), sizes);
    expect(Math.abs(result.evalAccuracy - 1 / 3)).toBeLessThan(0.12);
  });

  it('is repeatable for a seed', async () => {
    const options = { ...sizes, trainPoints: 60, evalPoints: 40, rowsPerCall: 100 };
    const a = await betaVaeScore(source, noiseEncoder(), options);
    const b = await betaVaeScore(source, noiseEncoder(), options);
    expect(b).toEqual(a);
  });
});

describe('factorVaeScore', () => {
  const sizes = { ...small, batchSize: 32, trainPoints: 300, evalPoints: 200, varianceEstimatePoints: 500 };

  it('scores the true factors at 1, without leaks', async () => {
    const result = await expectNoLeaks(() => factorVaeScore(source, trueFactors, sizes));
    expect(result.trainAccuracy).toBe(1);
    expect(result.evalAccuracy).toBe(1);
    expect(result.activeDimensions).toEqual([0, 1, 2]);
  });

  it('scores a random encoder near chance (1/3)', async () => {
    const result = await factorVaeScore(source, noiseEncoder(), sizes);
    expect(Math.abs(result.evalAccuracy - 1 / 3)).toBeLessThan(0.12);
  });

  it('prunes collapsed dimensions and scores 0 when all are collapsed', async () => {
    // The true factors plus a dimension with standard deviation 0.01 (collapsed) that would otherwise win votes.
    const withCollapsed: RepresentationFunction = (x) =>
      tf.tidy(() => {
        const codes = trueFactors(x);
        return tf.concat([codes, tf.mul(0.01, tf.slice(codes, [0, 0], [-1, 1]))], 1);
      });
    const result = await factorVaeScore(source, withCollapsed, sizes);
    expect(result.activeDimensions).toEqual([0, 1, 2]);
    expect(result.evalAccuracy).toBe(1);
    const constant = await factorVaeScore(source, (x) => tf.zeros([x.shape[0], 2]), sizes);
    expect(constant).toEqual({ score: 0, trainAccuracy: 0, evalAccuracy: 0, activeDimensions: [] });
  });
});

describe('mutualInformationGap', () => {
  it('scores the true factors near 1, without leaks', async () => {
    const result = await expectNoLeaks(() =>
      mutualInformationGap(source, trueFactors, { ...small, points: 2000 }),
    );
    expect(result.score).toBeGreaterThan(0.97);
    expect(result.mutualInformation.rows).toBe(3);
    expect(result.mutualInformation.columns).toBe(3);
    // Code j carries factor permutation[j] entirely.
    for (let j = 0; j < 3; j++) {
      const k = permutation[j];
      expect(result.mutualInformation.values[j * 3 + k]).toBeCloseTo(result.factorEntropies[k], 10);
    }
    for (const [k, size] of factorSizes.entries())
      expect(result.factorEntropies[k]).toBeCloseTo(Math.log(size), 1);
  });

  it('scores a random encoder near 0, and a mixed code in between', async () => {
    const random = await mutualInformationGap(source, noiseEncoder(), { ...small, points: 2000 });
    expect(random.score).toBeLessThan(0.05);
    // Two codes that each mix two factors: information is split, so the gaps shrink.
    const mixed: RepresentationFunction = (x) =>
      tf.tidy(() => {
        const codes = trueFactors(x);
        const [a, b, c] = tf.split(codes, 3, 1);
        return tf.concat([tf.add(a, b), tf.sub(a, b), c], 1) as tf.Tensor2D;
      });
    const mixedScore = await mutualInformationGap(source, mixed, { ...small, points: 2000 });
    expect(mixedScore.score).toBeLessThan(0.8);
    expect(mixedScore.score).toBeGreaterThan(random.score);
  });
});

describe('bad input', () => {
  it('rejects bad sizes, sources and representations', async () => {
    await expect(betaVaeScore(source, trueFactors, { trainPoints: 0 })).rejects.toThrow(
      /trainPoints must be an integer >= 1/,
    );
    await expect(factorVaeScore(source, trueFactors, { batchSize: 1 })).rejects.toThrow(
      /batchSize must be an integer >= 2/,
    );
    await expect(mutualInformationGap(source, trueFactors, { bins: 0 })).rejects.toThrow(/bins/);
    const empty = { ...source, factorSizes: [] };
    await expect(mutualInformationGap(empty, trueFactors)).rejects.toThrow(/no factors/);
    const zeroSized = { ...source, factorSizes: [3, 0, 5] };
    await expect(mutualInformationGap(zeroSized, trueFactors)).rejects.toThrow(/factorSizes\[1\]/);
    const wrongRows: RepresentationFunction = () => tf.zeros([1, 3]);
    await expectNoLeaks(() =>
      expect(mutualInformationGap(source, wrongRows, { points: 10 })).rejects.toThrow(
        /returned shape \[1,3\] for 10/,
      ),
    );
    const nonFinite: RepresentationFunction = (x) => tf.fill([x.shape[0], 2], Number.NaN);
    await expect(mutualInformationGap(source, nonFinite, { points: 10 })).rejects.toThrow(/finite/);
  });
});

// The true codes turned by 45 degrees in the plane of codes 0 and 1 (each of those now mixes two factors).
const rotation = tf.tensor2d([
  [Math.SQRT1_2, Math.SQRT1_2, 0],
  [-Math.SQRT1_2, Math.SQRT1_2, 0],
  [0, 0, 1],
]);
const rotated: RepresentationFunction = (x) => tf.matMul(trueFactors(x) as tf.Tensor2D, rotation);
afterAll(() => rotation.dispose());

/** Rows of a full grid over two factors (0..4 each): exactly uncorrelated, equal variances. */
const grid = Array.from({ length: 25 }, (_, i) => [Math.floor(i / 5), i % 5]);
const matrix = (rows: number[][]) => ({
  values: Float64Array.from(rows.flat()),
  rows: rows.length,
  columns: rows[0].length,
});

describe('dciScores', () => {
  it('gives D = C = 1 for codes equal to the factors and 0 for codes that mix two equally (exact, lambda 0)', () => {
    // fitted on the full grid (first half), tested on its copy
    const twice = [...grid, ...grid];
    const exact = dciFromCodes(matrix(twice), matrix(twice), { lambda: 0, trainFraction: 0.5 });
    expect(exact.disentanglement).toBeCloseTo(1, 6);
    expect(exact.completeness).toBeCloseTo(1, 6);
    // z = (f1 + f2, f1 - f2): each factor needs both codes with equal weight, each code serves both factors
    const mixed = dciFromCodes(matrix(twice.map(([a, b]) => [a + b, a - b])), matrix(twice), {
      lambda: 0,
      trainFraction: 0.5,
    });
    expect(mixed.disentanglement).toBeCloseTo(0, 6);
    expect(mixed.completeness).toBeCloseTo(0, 6);
    expect(mixed.informativeness).toBeCloseTo(1, 6);
  });

  it('scores the true factors near 1, a rotation lower (still informative), noise uninformative, without leaks', async () => {
    const truth = await expectNoLeaks(() => dciScores(source, trueFactors, { ...small, points: 2000 }));
    expect(truth.disentanglement).toBeGreaterThan(0.97);
    expect(truth.completeness).toBeGreaterThan(0.97);
    expect(truth.informativeness).toBeGreaterThan(0.97);
    expect(truth.importance.rows).toBe(3);
    const turned = await dciScores(source, rotated, { ...small, points: 2000 });
    expect(turned.disentanglement).toBeLessThan(truth.disentanglement - 0.3);
    expect(turned.completeness).toBeLessThan(truth.completeness - 0.3);
    expect(turned.informativeness).toBeGreaterThan(0.97);
    const noise = await dciScores(source, noiseEncoder(), { ...small, points: 2000 });
    expect(noise.informativeness).toBeLessThan(0.05);
  });

  it('names bad input', async () => {
    expect(() => dciFromCodes(matrix(grid), matrix(grid.slice(1)))).toThrow(/25 codes but 24 factor rows/);
    expect(() => dciFromCodes(matrix(grid.slice(0, 2)), matrix(grid.slice(0, 2)))).toThrow(/too few/);
    await expect(dciScores(source, trueFactors, { points: 1 })).rejects.toThrow(/points/);
  });
});

describe('sapScore', () => {
  it('is the mean gap between the two largest squared correlations, by hand', () => {
    // code 0 = f1 (r^2 1 with f1, 0 with f2), code 1 = f1 + f2 (r^2 1/2 with each)
    const result = sapFromCodes(matrix(grid.map(([a, b]) => [a, a + b])), matrix(grid));
    expect(result.scores.values[0]).toBeCloseTo(1, 10);
    expect(result.scores.values[1]).toBeCloseTo(0, 10);
    expect(result.scores.values[2]).toBeCloseTo(0.5, 10);
    expect(result.scores.values[3]).toBeCloseTo(0.5, 10);
    expect(Array.from(result.gaps)).toEqual([expect.closeTo(0.5, 10), expect.closeTo(0.5, 10)]);
    expect(result.score).toBeCloseTo(0.5, 10);
  });

  it('scores the true factors near 1, a rotation and noise lower, without leaks', async () => {
    const truth = await expectNoLeaks(() => sapScore(source, trueFactors, { ...small, points: 2000 }));
    expect(truth.score).toBeGreaterThan(0.95);
    const turned = await sapScore(source, rotated, { ...small, points: 2000 });
    expect(turned.score).toBeLessThan(truth.score - 0.3);
    const noise = await sapScore(source, noiseEncoder(), { ...small, points: 2000 });
    expect(noise.score).toBeLessThan(0.05);
  });
});

describe('mutualInformationGap under a rotation', () => {
  it('drops when two factors share two code dimensions', async () => {
    const truth = await mutualInformationGap(source, trueFactors, { ...small, points: 2000 });
    const turned = await mutualInformationGap(source, rotated, { ...small, points: 2000 });
    expect(turned.score).toBeLessThan(truth.score - 0.2);
  });
});
