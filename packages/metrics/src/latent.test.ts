import * as tf from '@tensorflow/tfjs-core';
import { tensorSource } from '@vae/core';
import { expectNoLeaks } from '@vae/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { activeUnits, latentHealth } from './latent';

describe('activeUnits', () => {
  it('counts dimensions whose posterior mean varies over the data by more than 0.01', async () => {
    // Column 0: values +-1, variance 1. Column 1: constant. Column 2: +-0.05, variance 0.0025. Column 3: +-0.2.
    const means = [
      [1, 3, 0.05, 0.2],
      [-1, 3, -0.05, -0.2],
      [1, 3, 0.05, -0.2],
      [-1, 3, -0.05, 0.2],
    ];
    const result = await activeUnits(means);
    expect(result.count).toBe(2);
    expect(result.dimensions).toEqual([0, 3]);
    expect(Array.from(result.variances)).toEqual([
      1,
      0,
      expect.closeTo(0.0025, 12),
      expect.closeTo(0.04, 12),
    ]);
    expect((await activeUnits(means, 0.001)).dimensions).toEqual([0, 2, 3]);
    const tensor = tf.tensor2d(means);
    expect((await expectNoLeaks(() => activeUnits(tensor))).count).toBe(2);
    tensor.dispose();
  });

  it('rejects empty and non-finite codes', async () => {
    await expect(activeUnits([])).rejects.toThrow(/empty/);
    await expect(activeUnits([[1, Number.NaN]])).rejects.toThrow(/not|finite/);
    await expect(activeUnits([[1], [2, 3]])).rejects.toThrow(/row 1 has 2 values/);
  });
});

describe('latentHealth', () => {
  // x holds one value per example, t in [-1, 1]. Dimension 0: mean t, logVar -2 (active, informative).
  // Dimension 1: mean 0, logVar 0 (exactly the prior: collapsed). Dimension 2: mean 0.05 t, logVar -3 (inactive
  // but far from the prior).
  const t = [-1, -0.5, 0, 0.5, 1];
  const x = tf.tensor2d(t, [5, 1]);
  afterAll(() => x.dispose());
  const model = {
    encode: (input: tf.Tensor) =>
      tf.tidy(() => {
        const column = tf.reshape(input, [-1, 1]);
        const mean = tf.concat([column, tf.zerosLike(column), tf.mul(0.05, column)], 1) as tf.Tensor2D;
        const logVar = tf.mul(tf.onesLike(mean), tf.tensor2d([[-2, 0, -3]])) as tf.Tensor2D;
        return { mean, logVar };
      }),
  };
  const kl = (mean: number, logVar: number) => -0.5 * (1 + logVar - mean * mean - Math.exp(logVar));
  const average = (f: (v: number) => number) => t.reduce((sum, v) => sum + f(v), 0) / t.length;

  it('reports KL per dimension, active units and collapsed dimensions', async () => {
    const result = await expectNoLeaks(() => latentHealth(model, tensorSource(x), { batchSize: 2 }));
    expect(result.klPerDimension[0]).toBeCloseTo(
      average((v) => kl(v, -2)),
      5,
    );
    expect(result.klPerDimension[1]).toBeCloseTo(0, 6);
    expect(result.klPerDimension[2]).toBeCloseTo(
      average((v) => kl(0.05 * v, -3)),
      5,
    );
    expect(result.kl).toBeCloseTo(
      result.klPerDimension.reduce((a, b) => a + b, 0),
      10,
    );
    expect(result.posteriorMeanVariance[0]).toBeCloseTo(0.5, 6);
    expect(result.posteriorMeanVariance[2]).toBeCloseTo(0.00125, 6);
    expect(result.activeUnits).toBe(1);
    expect(result.activeDimensions).toEqual([0]);
    expect(result.collapsedDimensions).toEqual([1]);
    expect(result.warnings).toHaveLength(2);
    expect(result.warnings[0]).toMatch(/dimension 1 has collapsed to the prior/);
    expect(result.warnings[1]).toMatch(/dimension 2 is inactive/);
    expect(result.examples).toBe(5);
  });

  it('warns when every dimension has collapsed', async () => {
    const collapsed = {
      encode: (input: tf.Tensor) =>
        tf.tidy(() => ({
          mean: tf.zeros([input.shape[0], 2]) as tf.Tensor2D,
          logVar: tf.zeros([input.shape[0], 2]) as tf.Tensor2D,
        })),
    };
    const result = await latentHealth(collapsed, tensorSource(x));
    expect(result.activeUnits).toBe(0);
    expect(result.collapsedDimensions).toEqual([0, 1]);
    expect(result.warnings[0]).toMatch(/posterior collapse: all 2 latent dimensions/);
  });

  it('rejects bad options', async () => {
    await expect(latentHealth(model, tensorSource(x), { batchSize: -1 })).rejects.toThrow(/batchSize/);
    await expect(latentHealth(model, tensorSource(x), { activityThreshold: Number.NaN })).rejects.toThrow(
      /activityThreshold/,
    );
  });
});
