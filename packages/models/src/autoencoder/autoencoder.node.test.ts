/** The autoencoder on real MNIST (wasm only: too slow on cpu). */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { mnistSources, mnistTestsEnabled } from '../testing/node';
import { Autoencoder } from './autoencoder.model';

describe.skipIf(!mnistTestsEnabled(tf.getBackend()))('Autoencoder on MNIST', () => {
  it('reconstructs test digits well through a 64-unit code', async () => {
    const mnist = mnistSources(8000, 1000);
    // relu codes train faster than the notes' sigmoid ones from this initialization (about 87 vs 120 nats here)
    const model = new Autoencoder({ latentDim: 64, codeActivation: 'relu', seed: 1 });
    await model.fit(mnist.train, { epochs: 4, batchSize: 128, seed: 1, learningRate: 3e-3 });
    const result = await model.evaluate(mnist.test);
    console.log(`Autoencoder MNIST: test cross-entropy ${result.reconstruction.toFixed(1)} nats/image`);
    expect(result.reconstruction).toBeLessThan(115); // about 107 here; the mean image alone gives about 206
    mnist.dispose();
    model.dispose();
  });
});
