/** The beta-VAE: training behaviour (Node, cpu and wasm), and on real MNIST (wasm only: too slow on cpu). */
import * as tf from '@tensorflow/tfjs-core';
import { capacityAt, tensorSource } from '@vae/core';
import { expectClose } from '@vae/core/testing';
import { describe, expect, it } from 'vitest';
import { mnistSources, mnistTestsEnabled } from '../testing/node';
import { binaryPrototypes } from '../testing/toy';
import { BetaVAE } from './beta-vae.model';

const small = { inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 2 };

describe('BetaVAE: training behaviour (Node only: too slow for the browser tests)', () => {
  it("follows Burgess et al.'s capacity schedule: gamma |KL - C(step)|", async () => {
    const capacity = { kind: 'capacity' as const, gamma: 100, maxCapacity: 8, steps: 10 };
    const model = new BetaVAE({ ...small, capacity, seed: 2 });
    const { x } = binaryPrototypes(8);
    for (const step of [0, 5, 20]) {
      const { terms } = model.trainingLoss(x, { seed: 3, step });
      const kl = (await terms.kl.data())[0];
      await expectClose(terms.weightedKl, 100 * Math.abs(kl - capacityAt(capacity, step)), { rtol: 1e-3 });
      tf.dispose(Object.values(terms));
    }
    // trained on it, the KL grows towards the capacity
    await model.fit(tensorSource(x), { epochs: 40, batchSize: 8, seed: 1, learningRate: 3e-3 });
    const kl = (await model.evaluate(tensorSource(x), { seed: 1 })).kl;
    expect(kl).toBeGreaterThan(4);
    expect(kl).toBeLessThan(12);
    x.dispose();
    model.dispose();
  });
});

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
