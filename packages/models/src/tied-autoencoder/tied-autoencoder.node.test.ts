/** The tied autoencoder: training behaviour (Node, cpu and wasm), and on real MNIST (wasm only: too slow on cpu). */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { mnistSources, mnistTestsEnabled } from '../testing/node';
import { TiedAutoencoder } from './tied-autoencoder.model';

describe.skipIf(!mnistTestsEnabled(tf.getBackend()))('TiedAutoencoder on MNIST', () => {
  it('reconstructs test digits with half the parameters', async () => {
    const mnist = mnistSources(8000, 1000);
    const model = new TiedAutoencoder({ latentDim: 64, seed: 1 });
    await model.fit(mnist.train, { epochs: 4, batchSize: 128, seed: 1, learningRate: 1e-2 });
    const result = await model.evaluate(mnist.test);
    console.log(`TiedAutoencoder MNIST: test cross-entropy ${result.reconstruction.toFixed(1)} nats/image`);
    expect(result.reconstruction).toBeLessThan(125); // about 117 here; the mean image alone gives about 206
    mnist.dispose();
    model.dispose();
  });
});
