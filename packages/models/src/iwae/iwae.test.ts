import * as tf from '@tensorflow/tfjs-core';
import {
  DiagonalGaussian,
  importanceWeightedBound,
  logImportanceWeights,
  standardNormalLogDensity,
  tensorSource,
} from '@vae/core';
import { expectClose } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { describeConcerns } from '../testing/concerns.test-utils';
import { binaryPrototypes } from '../testing/toy';
import { VAE } from '../vae/vae.model';
import { IWAE } from './iwae.model';

const small = { inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 2 };

describeConcerns('IWAE', {
  create: (seed) => new IWAE({ ...small, importanceSamples: 4, seed }),
  data: () => binaryPrototypes(16),
  samples: true,
});

describe('IWAE', () => {
  it("trains on core's importance-weighted bound with k samples", async () => {
    const model = new IWAE({ ...small, importanceSamples: 3, seed: 1 });
    const { x } = binaryPrototypes(4);
    const { total } = model.trainingLoss(x, { seed: 5 });
    const expected = tf.tidy(() => {
      const { mean, logVar } = model.encode(x);
      const q = new DiagonalGaussian(mean, logVar);
      const z = q.sample({ seed: 5, samples: 3 });
      const logLikelihood = tf.stack(
        [0, 1, 2].map((i) => model.logLikelihood(x, tf.squeeze(tf.slice(z, [i, 0, 0], [1, 4, 2]), [0]))),
      );
      const w = logImportanceWeights({
        logLikelihood,
        logPrior: standardNormalLogDensity(z, { eventRank: 1 }),
        logPosterior: q.logProb(z),
      });
      return tf.neg(importanceWeightedBound(w, { reduction: 'mean' }));
    });
    await expectClose(total, expected, { rtol: 1e-4 });
    tf.dispose([x, total, expected]);
    model.dispose();
  });

  it('gives a tighter bound than the ELBO of the same networks (L_k >= L_1 on average)', async () => {
    const { x } = binaryPrototypes(16);
    const model = new IWAE({ ...small, importanceSamples: 20, seed: 2 });
    await model.fit(tensorSource(x), { epochs: 20, batchSize: 16, seed: 1, learningRate: 1e-2 });
    const mean = async (t: tf.Tensor) => (await tf.mean(t).data())[0];
    const elbo = (await model.evaluate(tensorSource(x), { seed: 3 }).then((t) => t)).total; // -L_k
    const bound1 = model.lowerBound(x, { seed: 3, samples: 1 });
    const bound20 = model.lowerBound(x, { seed: 3, samples: 200 });
    expect(await mean(bound20)).toBeGreaterThan(await mean(bound1));
    expect(Number.isFinite(elbo)).toBe(true);
    expect(model).toBeInstanceOf(VAE);
    tf.dispose([x, bound1, bound20]);
    model.dispose();
  });

  it('has no KL weight', async () => {
    expect(() => new IWAE({ beta: 2 })).toThrow(/beta must be 1/);
    const model = new IWAE({ ...small });
    const { x } = binaryPrototypes(8);
    await expect(
      model.fit(tensorSource(x), { epochs: 1, klSchedule: { kind: 'linear', steps: 3 } }),
    ).rejects.toThrow(/no separate KL term/);
    x.dispose();
    model.dispose();
  });
});
