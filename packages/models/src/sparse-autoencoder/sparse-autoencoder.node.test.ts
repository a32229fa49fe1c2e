/** The sparse autoencoder: training behaviour (Node, cpu and wasm), and on real MNIST (wasm only: too slow on cpu). */
import * as tf from '@tensorflow/tfjs-core';
import { tensorSource } from '@vae/core';
import { describe, expect, it } from 'vitest';
import { mnistSources, mnistTestsEnabled } from '../testing/node';
import { binaryPrototypes } from '../testing/toy';
import { SparseAutoencoder } from './sparse-autoencoder.model';

const small = { inputShape: [4, 4, 1], hiddenUnits: [], latentDim: 24 };

describe('SparseAutoencoder: training behaviour (Node only: too slow for the browser tests)', () => {
  it('drives the mean activation of an overcomplete code towards rho', async () => {
    const { x } = binaryPrototypes(16);
    const average = (v: ArrayLike<number>) => Array.from(v).reduce((s, a) => s + a, 0) / v.length;
    const train = async (sparsityWeight: number) => {
      const model = new SparseAutoencoder({ ...small, rho: 0.05, sparsityWeight, seed: 2 });
      await model.fit(tensorSource(x), { epochs: 150, batchSize: 16, seed: 1, learningRate: 1e-2 });
      const mean = average(await model.meanActivation(x).data());
      model.dispose();
      return mean;
    };
    const plain = await train(0);
    const sparse = await train(3);
    expect(plain).toBeGreaterThan(0.3);
    expect(sparse).toBeLessThan(0.12); // rho = 0.05, against the reconstruction's pull
    x.dispose();
  });
});

describe.skipIf(!mnistTestsEnabled(tf.getBackend()))('SparseAutoencoder on MNIST', () => {
  it('learns an overcomplete code whose units are mostly inactive, and still reconstructs', async () => {
    const mnist = mnistSources(5000, 1000);
    const model = new SparseAutoencoder({ latentDim: 1024, rho: 0.05, sparsityWeight: 1, seed: 1 });
    await model.fit(mnist.train, { epochs: 2, batchSize: 128, seed: 1, learningRate: 1e-2 });
    const result = await model.evaluate(mnist.test);
    const rows = tf.slice(mnist.testImages, 0, 1000);
    const rhoHat = model.meanActivation(rows);
    const mean = (await tf.mean(rhoHat).data())[0];
    console.log(
      `SparseAutoencoder MNIST: test cross-entropy ${result.reconstruction.toFixed(1)} nats/image, mean code ` +
        `activation ${mean.toFixed(3)} (rho 0.05), sparsity penalty ${result.regularizer?.toFixed(2)}`,
    );
    expect(result.reconstruction).toBeLessThan(150); // about 141 here; the mean image alone gives about 206
    expect(mean).toBeLessThan(0.1);
    tf.dispose([rows, rhoHat]);
    mnist.dispose();
    model.dispose();
  });
});
