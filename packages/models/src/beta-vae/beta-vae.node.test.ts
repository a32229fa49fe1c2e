/** The beta-VAE on real MNIST (wasm only: too slow on cpu). */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { mnistSources, mnistTestsEnabled } from '../testing/node';
import { BetaVAE } from './beta-vae.model';

describe.skipIf(!mnistTestsEnabled(tf.getBackend()))('BetaVAE on MNIST', () => {
  it('trades reconstruction for a smaller KL with beta = 4', async () => {
    const mnist = mnistSources(6000, 1000);
    const model = new BetaVAE({ latentDim: 10, hiddenUnits: [256], beta: 4, seed: 1 });
    await model.fit(mnist.train, { epochs: 3, batchSize: 128, seed: 1, learningRate: 3e-3 });
    const result = await model.evaluate(mnist.test, { seed: 1 });
    console.log(
      `BetaVAE MNIST (beta 4): test reconstruction ${result.reconstruction.toFixed(1)}, KL ${result.kl.toFixed(1)}, ` +
        `-ELBO ${(result.reconstruction + result.kl).toFixed(1)} nats/image`,
    );
    expect(result.kl).toBeLessThan(12); // a beta = 1 VAE of this size spends about 20-25 nats
    expect(result.reconstruction).toBeLessThan(175);
    mnist.dispose();
    model.dispose();
  });
});
