import * as tf from '@tensorflow/tfjs-core';
import { binaryCrossEntropyWithLogits } from '@vae/core';
import { expectClose } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { describeConcerns } from '../testing/concerns.test-utils';
import { binaryPrototypes } from '../testing/toy';
import { DenoisingAutoencoder } from './denoising-autoencoder.model';

const small = { inputShape: [4, 4, 1], hiddenUnits: [], latentDim: 8 };

describeConcerns('DenoisingAutoencoder (masking noise)', {
  create: (seed) => new DenoisingAutoencoder({ ...small, seed }),
  data: () => binaryPrototypes(16),
});

describeConcerns('DenoisingAutoencoder (Gaussian noise)', {
  create: (seed) => new DenoisingAutoencoder({ ...small, noise: 'gaussian', noiseLevel: 0.2, seed }),
  data: () => binaryPrototypes(16),
  browser: false,
});

describe('DenoisingAutoencoder', () => {
  it('masks each value with probability q and compares the reconstruction with the clean input', async () => {
    const model = new DenoisingAutoencoder({ ...small, noiseLevel: 0.5, seed: 1 });
    const ones = tf.ones([200, 16]);
    const corrupted = await model.corruptInput(ones, 3).data();
    const zeros = corrupted.filter((v) => v === 0).length / corrupted.length;
    expect(zeros).toBeGreaterThan(0.45);
    expect(zeros).toBeLessThan(0.55);
    expect(corrupted.every((v) => v === 0 || v === 1)).toBe(true); // no rescaling, unlike dropout

    const { x } = binaryPrototypes(8);
    const rows = tf.reshape(x, [8, 16]);
    const noisy = model.corruptInput(rows, 9);
    const { terms } = model.trainingLoss(x, { seed: 9 });
    const expected = tf.tidy(() => {
      const code = model.encode(noisy);
      const p = tf.clipByValue(model.decode(code), 1e-7, 1 - 1e-7);
      const logits = tf.reshape(tf.sub(tf.log(p), tf.log1p(tf.neg(p))), [8, 16]);
      return binaryCrossEntropyWithLogits(rows, logits); // clean targets
    });
    await expectClose(terms.reconstruction, expected, { rtol: 1e-3 });
    tf.dispose([ones, x, rows, noisy, expected, ...Object.values(terms)]);
    model.dispose();
  });

  it('names the problem with a bad noise level', () => {
    expect(() => new DenoisingAutoencoder({ noiseLevel: 1 })).toThrow(/q in \[0, 1\)/);
  });
});
