/** The contractive autoencoder: training behaviour (Node, cpu and wasm), and on real MNIST (wasm only: too slow on cpu). */
import * as tf from '@tensorflow/tfjs-core';
import { tensorSource } from '@vae/core';
import { describe, expect, it } from 'vitest';
import { mnistSources, mnistTestsEnabled } from '../testing/node';
import { binaryPrototypes } from '../testing/toy';
import { ContractiveAutoencoder } from './contractive-autoencoder.model';

const small = { inputShape: [4, 4, 1], hiddenUnits: [], latentDim: 8 };

describe('ContractiveAutoencoder: training behaviour (Node only: too slow for the browser tests)', () => {
  it('makes the code less sensitive to the input than a plain autoencoder trained alike', async () => {
    const { x } = binaryPrototypes(16);
    const train = async (contractiveWeight: number) => {
      const model = new ContractiveAutoencoder({ ...small, contractiveWeight, seed: 2 });
      await model.fit(tensorSource(x), { epochs: 60, batchSize: 16, seed: 1, learningRate: 1e-2 });
      const norm = (await tf.mean(model.jacobianNorm(x)).data())[0];
      model.dispose();
      return norm;
    };
    const plain = await train(0);
    const contractive = await train(1);
    expect(contractive).toBeLessThan(plain / 2);
    x.dispose();
  });
  it('uses automatic differentiation for deeper relu encoders and refuses sigmoid there', async () => {
    const model = new ContractiveAutoencoder({ ...small, hiddenUnits: [6], codeActivation: 'relu', seed: 3 });
    const { x } = binaryPrototypes(16);
    const start = await model.evaluate(tensorSource(x));
    await model.fit(tensorSource(x), { epochs: 5, batchSize: 16, seed: 1, learningRate: 1e-2 });
    expect((await model.evaluate(tensorSource(x))).total).toBeLessThan(start.total);
    expect(() => new ContractiveAutoencoder({ hiddenUnits: [32] })).toThrow(
      /second-order gradients.*sigmoid/,
    );
    x.dispose();
    model.dispose();
  });
});

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
