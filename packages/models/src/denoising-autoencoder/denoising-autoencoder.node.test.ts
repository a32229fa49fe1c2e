/** The denoising autoencoder on real MNIST (wasm only: too slow on cpu). */
import * as tf from '@tensorflow/tfjs-core';
import { binaryCrossEntropy } from '@vae/core';
import { describe, expect, it } from 'vitest';
import { mnistSources, mnistTestsEnabled } from '../testing/node';
import { DenoisingAutoencoder } from './denoising-autoencoder.model';

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
