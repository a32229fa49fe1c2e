/** The IWAE: training behaviour (Node, cpu and wasm), and on real MNIST (wasm only: too slow on cpu). */
import * as tf from '@tensorflow/tfjs-core';
import { tensorSource } from '@vae/core';
import { describe, expect, it } from 'vitest';
import { mnistSources, mnistTestsEnabled } from '../testing/node';
import { binaryPrototypes } from '../testing/toy';
import { VAE } from '../vae/vae.model';
import { IWAE } from './iwae.model';

const small = { inputShape: [4, 4, 1], hiddenUnits: [8], latentDim: 2 };

describe('IWAE: training behaviour (Node only: too slow for the browser tests)', () => {
  it('gives a tighter bound than the ELBO of the same networks (L_k >= L_1 on average)', async () => {
    const { x } = binaryPrototypes(16);
    const model = new IWAE({ ...small, importanceSamples: 20, seed: 2 });
    await model.fit(tensorSource(x), { epochs: 20, batchSize: 16, seed: 1, learningRate: 1e-2 });
    const mean = async (t: tf.Tensor) => (await tf.mean(t).data())[0];
    const elbo = (await model.evaluate(tensorSource(x), { seed: 3 }).then((t) => t)).total; // -L_k
    const bound1 = model.lowerBound(x, { seed: 3, importanceSamples: 1 });
    const bound20 = model.lowerBound(x, { seed: 3, importanceSamples: 200 });
    expect(await mean(bound20)).toBeGreaterThan(await mean(bound1));
    expect(Number.isFinite(elbo)).toBe(true);
    expect(model).toBeInstanceOf(VAE);
    tf.dispose([x, bound1, bound20]);
    model.dispose();
  });
});

describe.skipIf(!mnistTestsEnabled(tf.getBackend()))('IWAE on MNIST', () => {
  it('reaches a sensible importance-weighted bound, tighter than its ELBO', async () => {
    const mnist = mnistSources(5000, 200);
    const model = new IWAE({ latentDim: 10, hiddenUnits: [200], importanceSamples: 5, seed: 1 });
    await model.fit(mnist.train, { epochs: 2, batchSize: 128, seed: 1, learningRate: 3e-3 });
    const test = mnist.testImages;
    const bound = async (samples: number) => {
      const t = tf.tidy(() => tf.mean(model.lowerBound(test, { seed: 1, importanceSamples: samples })));
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
