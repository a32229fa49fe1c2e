import * as tf from '@tensorflow/tfjs-core';
import { GaussianMixture, tensorSource } from '@vae/core';
import { expectNoLeaks } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { Autoencoder } from '../autoencoder/autoencoder.model';
import { inBrowser } from '../testing/concerns.test-utils';
import { binaryPrototypes } from '../testing/toy';
import { type CodeModel, GaussianMixtureSampler, SecondStageSampler } from './samplers';

/** A stand-in model whose codes are given (any CodeModel works): decode returns the codes themselves. */
function codeModel(codes: Float64Array, dimension: number): CodeModel {
  return {
    className: 'Stub',
    latentDim: dimension,
    embed: async () => tf.tensor2d(Float32Array.from(codes), [codes.length / dimension, dimension]),
    decode: (z) => tf.clone(z),
  };
}

const truth = new GaussianMixture({
  covariance: 'diagonal',
  dimension: 2,
  weights: [0.5, 0.5],
  means: [-3, 0, 3, 1],
  covariances: [0.25, 0.25, 0.5, 1],
});

describe('GaussianMixtureSampler', () => {
  it("fits the model's codes by EM and draws codes like them", async () => {
    const { values } = truth.sample(4000, { seed: 1 });
    const model = codeModel(values, 2);
    const sampler = await GaussianMixtureSampler.fit(model, new Float32Array(8), { components: 2, seed: 2 });
    expect(sampler.report?.converged).toBe(true);
    const means = Array.from(sampler.mixture.means);
    const first = means[0] < means[2] ? 0 : 1;
    expect(means[first * 2]).toBeCloseTo(-3, 1);
    expect(means[(1 - first) * 2 + 1]).toBeCloseTo(1, 1);
    const drawn = sampler.sample(4000, { seed: 3 });
    const mean = await tf.tidy(() => tf.mean(drawn, 0)).data();
    expect(mean[0]).toBeCloseTo(0, 0);
    expect(mean[1]).toBeCloseTo(0.5, 1);
    drawn.dispose();
  });

  it('samples any model, a plain autoencoder included: seeded, leak-free, saved as JSON', async () => {
    const { x } = binaryPrototypes(16);
    const model = new Autoencoder({ inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 2, seed: 1 });
    await model.fit(tensorSource(x), { epochs: 2, batchSize: 8, seed: 1 });
    const sampler = await GaussianMixtureSampler.fit(model, tensorSource(x), {
      components: 3,
      covariance: 'full',
      seed: 1,
    });
    await expectNoLeaks(async () => {
      const a = sampler.sample(5, { seed: 4 });
      const b = sampler.sample(5, { seed: 4 });
      expect(a.shape).toEqual([5, 4, 4, 1]);
      expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
      const copy = GaussianMixtureSampler.fromJSON(JSON.parse(JSON.stringify(sampler.toJSON())), model);
      const c = copy.sample(5, { seed: 4 });
      expect(Array.from(await c.data())).toEqual(Array.from(await a.data()));
      const codes = await model.embed(x);
      const density = await sampler.logDensity(codes);
      expect(density.every(Number.isFinite)).toBe(true);
      tf.dispose([a, b, c, codes]);
    });
    expect(() =>
      GaussianMixtureSampler.fromJSON({ ...sampler.toJSON(), modelClassName: 'VAE' }, model),
    ).toThrow(/fitted on a VAE, not a Autoencoder/);
    expect(() => new GaussianMixtureSampler(codeModel(new Float64Array(3), 3), sampler.mixture)).toThrow(
      /2 dimensions/,
    );
    expect(() => sampler.sample(0)).toThrow(/count must be a positive integer/);
    x.dispose();
    model.dispose();
  });
});

describe.skipIf(inBrowser)('SecondStageSampler (Node only: it trains a VAE)', () => {
  it('learns the distribution of the codes with a second VAE', async () => {
    const { values } = new GaussianMixture({
      covariance: 'diagonal',
      dimension: 2,
      weights: [1],
      means: [3, -2],
      covariances: [0.25, 4],
    }).sample(2000, { seed: 5 });
    const model = codeModel(values, 2);
    const sampler = await SecondStageSampler.fit(model, new Float32Array(8), {
      hiddenUnits: [16],
      epochs: 15,
      seed: 1,
      learningRate: 3e-3,
    });
    expect(sampler.standardization.mean[0]).toBeCloseTo(3, 1);
    const before = tf.memory().numTensors;
    const drawn = sampler.sample(2000, { seed: 2 });
    const moments = tf.tidy(() => tf.moments(drawn, 0));
    const [mean, variance] = [await moments.mean.data(), await moments.variance.data()];
    expect(Math.abs(mean[0] - 3)).toBeLessThan(0.3);
    expect(Math.abs(mean[1] + 2)).toBeLessThan(0.6);
    expect(variance[1]).toBeGreaterThan(1.5); // spread like the codes (4), not collapsed to the mean
    expect(variance[1]).toBeLessThan(8);
    tf.dispose([drawn, moments.mean, moments.variance]);
    expect(tf.memory().numTensors).toBe(before);
    expect(sampler.toJSON()).toMatchObject({ kind: 'SecondStageSampler', modelClassName: 'Stub' });
    sampler.dispose();
  });
});
