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
