import * as tf from '@tensorflow/tfjs-core';
import { klDecomposition, klDivergenceStandardNormal, reparameterize, tensorSource } from '@vae/core';
import { expectClose, expectNoLeaks } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { describeConcerns } from '../testing/concerns.test-utils';
import { binaryPrototypes } from '../testing/toy';
import { VAE } from '../vae/vae.model';
import { BetaTCVAE } from './beta-tcvae.model';

const small = { inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 3 };

describeConcerns('BetaTCVAE', {
  create: (seed) => new BetaTCVAE({ ...small, seed }),
  data: () => binaryPrototypes(16),
  samples: true,
});

describe('BetaTCVAE', () => {
  it('adds (alpha - 1) MI + (beta - 1) TC + (gamma - 1) dimension-wise KL to the closed-form KL', async () => {
    const model = new BetaTCVAE({ ...small, alpha: 2, beta: 6, gamma: 0.5, datasetSize: 1000, seed: 1 });
    expect(model).toBeInstanceOf(VAE);
    const { x } = binaryPrototypes(8);
    const { total, terms } = model.trainingLoss(x, { seed: 3 });
    const expected = tf.tidy(() => {
      const { mean, logVar } = model.encode(x);
      const z = reparameterize(mean, logVar, { seed: 3 });
      const parts = klDecomposition(z, mean, logVar, { datasetSize: 1000, estimator: 'mws' });
      const kl = klDivergenceStandardNormal(mean, logVar);
      return {
        kl,
        weightedKl: tf.addN([
          kl,
          parts.mutualInformation,
          tf.mul(5, parts.totalCorrelation),
          tf.mul(-0.5, parts.dimensionWiseKl),
        ]),
      };
    });
    await expectClose(terms.kl, expected.kl, { rtol: 1e-5 });
    await expectClose(terms.weightedKl, expected.weightedKl, { rtol: 1e-4, atol: 1e-4 });
    await expectClose(total, tf.add(terms.reconstruction, terms.weightedKl), { rtol: 1e-6 });
    await expectClose(terms.regularizer, 0);
    tf.dispose([x, total, ...Object.values(terms), ...Object.values(expected)]);
    model.dispose();
  });

  it('is the VAE objective when alpha = beta = gamma = 1', async () => {
    const tc = new BetaTCVAE({ ...small, alpha: 1, beta: 1, gamma: 1, seed: 4 });
    const vae = new VAE({ ...small, seed: 4 });
    const { x } = binaryPrototypes(8);
    const a = tc.trainingLoss(x, { seed: 2 });
    const b = vae.trainingLoss(x, { seed: 2 });
    await expectClose(a.total, b.total, { rtol: 1e-5 });
    tf.dispose([x, a.total, b.total, ...Object.values(a.terms), ...Object.values(b.terms)]);
    tc.dispose();
    vae.dispose();
  });

  it('takes N from the data it trained on, reports the KL parts without leaks, and names bad config', async () => {
    const model = new BetaTCVAE({ ...small, seed: 5 });
    const { x } = binaryPrototypes(16);
    await model.fit(tensorSource(x), { epochs: 1, batchSize: 8, seed: 1 });
    await expectNoLeaks(() => tf.dispose(Object.values(model.klParts(x, { seed: 1 }))));
    const parts = model.klParts(x, { seed: 1 });
    const expected = tf.tidy(() => {
      const { mean, logVar } = model.encode(x);
      return {
        ...klDecomposition(reparameterize(mean, logVar, { seed: 1 }), mean, logVar, { datasetSize: 16 }),
      };
    });
    await expectClose(parts.totalCorrelation, expected.totalCorrelation, { rtol: 1e-5 });
    tf.dispose([x, ...Object.values(parts), ...Object.values(expected)]);
    model.dispose();
    expect(() => new BetaTCVAE({ gamma: -1 })).toThrow(/gamma must be a finite number >= 0/);
    expect(() => new BetaTCVAE({ estimator: 'x' as never })).toThrow(/estimator 'x' is not supported/);
    expect(() => new BetaTCVAE({ datasetSize: 0 })).toThrow(/datasetSize must be a positive integer/);
  });
});
