import * as tf from '@tensorflow/tfjs-core';
import { expectClose } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { describeConcerns } from '../testing/concerns.test-utils';
import { binaryPrototypes } from '../testing/toy';
import { VAE } from '../vae/vae.model';
import { BetaVAE } from './beta-vae.model';

const small = { inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 2 };

describeConcerns('BetaVAE', {
  create: (seed) => new BetaVAE({ ...small, seed }),
  data: () => binaryPrototypes(16),
  samples: true,
});

describeConcerns('BetaVAE (capacity schedule)', {
  create: (seed) =>
    new BetaVAE({ ...small, capacity: { kind: 'capacity', gamma: 10, maxCapacity: 5, steps: 4 }, seed }),
  data: () => binaryPrototypes(16),
  samples: true,
  browser: false,
});

describe('BetaVAE', () => {
  it('weights the KL term by beta (default 4), as a VAE with the same weights would with beta', async () => {
    const beta = new BetaVAE({ ...small, seed: 1 });
    expect(beta.config.beta).toBe(4);
    expect(beta).toBeInstanceOf(VAE);
    const { x } = binaryPrototypes(8);
    const { total, terms } = beta.trainingLoss(x, { seed: 3 });
    await expectClose(terms.weightedKl, tf.mul(4, terms.kl));
    await expectClose(total, tf.add(terms.reconstruction, tf.mul(4, terms.kl)));
    tf.dispose([x, total, ...Object.values(terms)]);
    beta.dispose();
  });

  it('names a wrong schedule', () => {
    expect(() => new BetaVAE({ capacity: { kind: 'linear', steps: 3 } as never })).toThrow(/kind 'capacity'/);
    expect(() => new BetaVAE({ beta: -1 })).toThrow(/beta must be a finite number >= 0/);
  });
});
