/** The denoising autoencoder: training behaviour (Node, cpu and wasm), and on real MNIST (wasm only: too slow on cpu). */
import * as tf from '@tensorflow/tfjs-core';
import { binaryCrossEntropy, tensorSource } from '@vae/core';
import { describe, expect, it } from 'vitest';
import { mnistSources, mnistTestsEnabled } from '../testing/node';
import { binaryPrototypes } from '../testing/toy';
import { DenoisingAutoencoder } from './denoising-autoencoder.model';

const small = { inputShape: [4, 4, 1], hiddenUnits: [], latentDim: 8 };

describe('DenoisingAutoencoder: training behaviour (Node only: too slow for the browser tests)', () => {
  it('learns to restore masked inputs', async () => {
    const { x } = binaryPrototypes(32);
    const model = new DenoisingAutoencoder({ ...small, noiseLevel: 0.25, seed: 2 });
    await model.fit(tensorSource(x), { epochs: 80, batchSize: 16, seed: 1, learningRate: 1e-2 });
    const noisy = model.corruptInput(x, 5);
    const error = tf.tidy(() => tf.mean(tf.abs(tf.sub(tf.round(model.reconstruct(noisy)), x))));
    const corruption = tf.tidy(() => tf.mean(tf.abs(tf.sub(noisy, x))));
    expect((await error.data())[0]).toBeLessThan((await corruption.data())[0] / 2);
    tf.dispose([x, noisy, error, corruption]);
    model.dispose();
  });
});

describe.skipIf(!mnistTestsEnabled(tf.getBackend()))('DenoisingAutoencoder on MNIST', () => {
  it('restores test digits with a quarter of their pixels masked', async () => {
    const mnist = mnistSources(6000, 1000);
    const model = new DenoisingAutoencoder({ latentDim: 256, noise: 'masking', noiseLevel: 0.25, seed: 1 });
    await model.fit(mnist.train, { epochs: 3, batchSize: 128, seed: 1, learningRate: 1e-2 });
    const noisy = model.corruptInput(mnist.testImages, 7);
    const fromNoisy = (await binaryCrossEntropy(mnist.testImages, model.reconstruct(noisy)).data())[0];
    const fromClean = (
      await binaryCrossEntropy(mnist.testImages, model.reconstruct(mnist.testImages)).data()
    )[0];
    console.log(
      `DenoisingAutoencoder MNIST: cross-entropy of the clean test digit given the masked one ${fromNoisy.toFixed(1)} ` +
        `nats/image, given the clean one ${fromClean.toFixed(1)}`,
    );
    expect(fromNoisy).toBeLessThan(100); // the mean image alone gives about 206
    expect(fromNoisy - fromClean).toBeLessThan(10); // the masked quarter barely matters
    noisy.dispose();
    mnist.dispose();
    model.dispose();
  });
});
