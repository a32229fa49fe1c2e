/** The IWAE on real MNIST (wasm only: too slow on cpu). */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { mnistSources, mnistTestsEnabled } from '../testing/node';
import { IWAE } from './iwae.model';

describe.skipIf(!mnistTestsEnabled(tf.getBackend()))('IWAE on MNIST', () => {
  it('reaches a sensible importance-weighted bound, tighter than its ELBO', async () => {
    const mnist = mnistSources(5000, 200);
    const model = new IWAE({ latentDim: 10, hiddenUnits: [200], importanceSamples: 5, seed: 1 });
    await model.fit(mnist.train, { epochs: 2, batchSize: 128, seed: 1, learningRate: 3e-3 });
    const test = mnist.testImages;
    const bound = async (samples: number) => {
      const t = tf.tidy(() => tf.mean(model.lowerBound(test, { seed: 1, samples })));
      const value = (await t.data())[0];
      t.dispose();
      return value;
    };
    const [elbo, k5, k50] = [await bound(1), await bound(5), await bound(50)];
    console.log(
      `IWAE MNIST (k = 5): test -L_1 ${(-elbo).toFixed(1)}, -L_5 ${(-k5).toFixed(1)}, -L_50 ${(-k50).toFixed(1)} nats/image`,
    );
    expect(-k50).toBeLessThan(170); // about 152 here (2 epochs of 5000 images)
    expect(k50).toBeGreaterThan(elbo);
    mnist.dispose();
    model.dispose();
  });
});
