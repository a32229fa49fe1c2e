/** The contractive autoencoder on real MNIST (wasm only: too slow on cpu). */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { mnistSources, mnistTestsEnabled } from '../testing/node';
import { ContractiveAutoencoder } from './contractive-autoencoder.model';

describe.skipIf(!mnistTestsEnabled(tf.getBackend()))('ContractiveAutoencoder on MNIST', () => {
  it('reconstructs test digits with a small Jacobian norm', async () => {
    const mnist = mnistSources(6000, 1000);
    const model = new ContractiveAutoencoder({ latentDim: 256, contractiveWeight: 0.1, seed: 1 });
    await model.fit(mnist.train, { epochs: 3, batchSize: 128, seed: 1, learningRate: 1e-2 });
    const result = await model.evaluate(mnist.test);
    const norm = tf.tidy(() => tf.mean(model.jacobianNorm(tf.slice(mnist.testImages, 0, 1000))));
    const jacobian = (await norm.data())[0];
    console.log(
      `ContractiveAutoencoder MNIST: test cross-entropy ${result.reconstruction.toFixed(1)} nats/image, ` +
        `|J|_F^2 ${jacobian.toFixed(2)}`,
    );
    expect(result.reconstruction).toBeLessThan(95); // about 80 here
    expect(jacobian).toBeLessThan(50); // about 36 here
    norm.dispose();
    mnist.dispose();
    model.dispose();
  });
});
