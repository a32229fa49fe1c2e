import * as tf from '@tensorflow/tfjs-core';
import { maximumMeanDiscrepancy, Random, reparameterize } from '@vae/core';
import { expectClose } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { describeConcerns } from '../testing/concerns.test-utils';
import { binaryPrototypes } from '../testing/toy';
import { VAE } from '../vae/vae.model';
import { InfoVAE } from './info-vae.model';

const small = { inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 2 };

describeConcerns('InfoVAE (WAE-MMD, IMQ)', {
  create: (seed) => new InfoVAE({ ...small, seed }),
  data: () => binaryPrototypes(16),
  samples: true,
});

describeConcerns('InfoVAE (alpha 0, RBF)', {
  create: (seed) => new InfoVAE({ ...small, alpha: 0, lambda: 10, kernel: 'rbf', kernelScales: [1], seed }),
  data: () => binaryPrototypes(16),
  samples: true,
  browser: false,
});

describe('InfoVAE', () => {
  it('is reconstruction + (1 - alpha) KL + (alpha + lambda - 1) MMD(z, prior draws)', async () => {
    const model = new InfoVAE({
      ...small,
      alpha: 0.5,
      lambda: 20,
      kernel: 'rbf',
      kernelScales: [1, 2],
      seed: 1,
    });
    const vae = new VAE({ ...small, seed: 1 });
    const { x } = binaryPrototypes(8);
    const { total, terms } = model.trainingLoss(x, { seed: 3 });
    const plain = vae.trainingLoss(x, { seed: 3, beta: 0.5 });
    const mmd = tf.tidy(() => {
      const { mean, logVar } = model.encode(x);
      const z = reparameterize(mean, logVar, { seed: 3 });
      const prior = tf.randomNormal([8, 2], 0, 1, 'float32', new Random(3).nextSeed());
      return maximumMeanDiscrepancy(z, prior, { kernel: 'rbf', scales: [1, 2] });
    });
    await expectClose(terms.weightedKl, tf.mul(0.5, terms.kl), { rtol: 1e-5 });
    await expectClose(terms.regularizer, tf.mul(19.5, mmd), { rtol: 1e-4, atol: 1e-6 });
    await expectClose(total, tf.add(plain.total, terms.regularizer), { rtol: 1e-5 });
    tf.dispose([x, total, mmd, plain.total, ...Object.values(terms), ...Object.values(plain.terms)]);
    model.dispose();
    vae.dispose();
  });

  it('names bad config', () => {
    expect(() => new InfoVAE({ alpha: 2 })).toThrow(/alpha must be a finite number <= 1/);
    expect(() => new InfoVAE({ alpha: 0, lambda: 0.5 })).toThrow(
      /lambda must be a finite number >= 1 - alpha/,
    );
    expect(() => new InfoVAE({ kernel: 'linear' as never })).toThrow(/kernel 'linear' is not supported/);
    expect(() => new InfoVAE({ kernelScales: [] })).toThrow(/kernelScales must be a non-empty list/);
  });
});
